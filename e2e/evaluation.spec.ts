import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";
import { cli, unique } from "./label-helpers";

/** Writes `lines` as JSONL into a temporary file. */
function jsonl(name: string, lines: object[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-eval-e2e-")), name);
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n"));
  return file;
}

/** A project whose judged pairs trained a linear reward model and a DPO version of the built-in policy, plus unjudged prompts. */
function projectWithTwoVersions(project: string) {
  const words = ["the", "movie", "was", "film", "not", "good", "a", "cast", "and", "weak", "plot"];
  const pick = (i: number, k: number) => words[(i * 7 + k * 3) % words.length];
  const pairs = Array.from({ length: 24 }, (_, i) => ({ prompt: `The film ${i}`, chosen: ` was ${pick(i, 0)} great ${pick(i, 1)}`, rejected: ` was ${pick(i, 2)} ${pick(i, 3)} ${pick(i, 4)}` }));
  cli(["import", jsonl("pairs.jsonl", pairs), "--project", project]);
  cli(["train", "reward", "--project", project, "--kind", "linear"]);
  const dpo = jsonl("dpo.json", []);
  fs.writeFileSync(dpo, JSON.stringify({ maxSteps: 2, batchSize: 4, evalInterval: 0, checkpointEvery: 0, evaluation: { prompts: 1, maxNewTokens: 4 } }));
  const trained = JSON.parse(cli(["train", "dpo", "--project", project, "--config", dpo, "--json"]).trim().split("\n").at(-1)!) as { policy: string };
  // Imported after the DPO run, never judged: the held-out prompts.
  cli(["import", jsonl("prompts.jsonl", Array.from({ length: 6 }, (_, i) => ({ prompt: `A new film ${i} was` }))), "--project", project, "--format", "prompts"]);
  return trained.policy;
}

test("a researcher compares the new policy version with the base on held-out prompts and sends them to blind human comparison", async ({ page }) => {
  test.setTimeout(240_000);
  const project = unique("eval");
  const version = projectWithTwoVersions(project);
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Projects" }).click();
  await page.getByRole("link", { name: project, exact: true }).click();
  await page.getByRole("navigation", { name: "Workspace sections" }).getByRole("link", { name: "Evaluation" }).click();
  await page.getByRole("checkbox", { name: version, exact: true }).check();
  await page.getByRole("button", { name: "Evaluate 1 policy" }).click();

  // The run works in the worker; the page follows its state (never a fixed wait) until the table appears.
  const table = page.getByRole("table", { name: /^evaluation \d+$/ });
  await expect(table).toBeVisible({ timeout: 180_000 });
  const row = table.getByTestId(`evaluation-row-${version}`);
  await expect(page.getByRole("heading", { name: /against builtin@1$/ })).toBeVisible();
  await expect(row.getByTestId("rm-win-rate")).toHaveText(/^\d+\.\d%$/);
  await expect(row.getByTestId("kl-to-base")).toHaveText(/^-?\d+\.\d{3}$/);
  await expect(page.getByTestId("frontier-chart")).toBeVisible();
  await page.getByText(`Samples: ${version} beside builtin@1`).click();
  await expect(page.getByText("A new film 0 was").first()).toBeVisible();

  await page.getByRole("button", { name: "Create blind human comparison" }).click();
  const confirm = page.getByRole("dialog", { name: "Confirm blind human comparison" });
  await expect(confirm.getByTestId("human-task-count")).toHaveText("6");
  await page.screenshot({ path: "test-results/evaluation.png", fullPage: true });
  await confirm.getByRole("button", { name: "Create 6 tasks" }).click();
  await expect(page.getByTestId("human-comparison-status")).toContainText(`Blind human comparison requested for ${version}`);
  await expect(row).toContainText(/waiting for judgements/);
});
