import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN, plantedJsonl, signIn } from "./helpers";
import { addAnnotator, cli, createProject, importCompletions, openLabeling, unique } from "./label-helpers";

const TINY = {
  reward: { kind: "linear", hashBits: 12 },
  policy: { epochs: 1, batchSize: 8, maxLength: 24, evalInterval: 0, checkpointEvery: 0, evaluation: { prompts: 2, maxNewTokens: 4 } },
  sample: { maxPrompts: 2, maxNewTokens: 4 },
};

test("a researcher turns the auto-loop on; an annotator's third judgement starts a round that the notebook shows through reward model, policy and samples", async ({ page, browser }) => {
  test.setTimeout(600_000);
  const name = unique("loop");
  const projectId = createProject(name, { judgementsPerTask: 1 });
  const judged = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-loop-")), "planted.jsonl");
  fs.writeFileSync(judged, plantedJsonl(30, (i) => `The film ${i}`, "was "));
  cli(["import", judged, "--project", name, "--format", "trl"]);
  importCompletions(name, [0, 1, 2].map((i) => ({ prompt: `A new review ${i}:`, completions: [" a great film", " a weak plot"] })));

  await signIn(page, ADMIN);
  await page.goto(`/rounds?project=${projectId}`);
  await expect(page.getByText("No rounds yet")).toBeVisible();
  await page.getByText("Step configs").click();
  for (const [label, config] of [["Reward run config", TINY.reward], ["Policy run config", TINY.policy], ["Sample run config", TINY.sample]] as const)
    await page.getByRole("textbox", { name: label }).fill(JSON.stringify(config));
  await page.getByRole("combobox", { name: "Policy run kind" }).selectOption("dpo");
  await page.getByRole("spinbutton", { name: "New judgements per round" }).fill("3");
  await page.getByRole("checkbox", { name: "Start rounds automatically" }).check();
  await page.getByRole("button", { name: "Save loop settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByText("0 of 3 since the last round")).toBeVisible();

  const annotator = await browser.newPage();
  await openLabeling(annotator, addAnnotator("looper"), name);
  for (let i = 0; i < 3; i++) {
    await expect(annotator.locator('[data-testid="task"][data-ready="true"]')).toBeVisible();
    await annotator.keyboard.press("a");
    await annotator.keyboard.press("2");
    await annotator.keyboard.press("Enter");
    // The server's own count, not the status line: "Judgement saved." is still shown from the last
    // judgement while this one is in flight, and closing the page then would drop it.
    await expect(annotator.getByTestId("done-today")).toHaveText(String(i + 1));
  }
  await annotator.close();

  await page.reload();
  const round = page.getByRole("article", { name: "Round 1" });
  await expect(round.getByText(/started by the auto-loop/)).toBeVisible();
  await expect(round.getByTestId("round-status")).toHaveText("succeeded", { timeout: 400_000 });
  await expect(round.getByText(/3 new human judgements since the last round \(3 in all, judgement ids up to \d+\)/)).toBeVisible();
  await expect(round.getByText(/trained on \d+ pairs; test accuracy \d+%/)).toBeVisible();
  await expect(round.getByText(/^builtin@1 → builtin@\d+$/)).toBeVisible();
  await expect(round.getByText("2 new tasks from 2 prompts")).toBeVisible();
  const policyRun = round.getByRole("link", { name: /^dpo run #\d+$/ });
  const runId = Number((await policyRun.innerText()).replace(/\D/g, ""));
  await expect(round.getByRole("link", { name: /^reward run #\d+$/ })).toBeVisible();
  await expect(round.getByRole("link", { name: /^sample run #\d+$/ })).toBeVisible();
  await policyRun.click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
});
