import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, plantedJsonl, signIn } from "./helpers";
import { cli, e2eDb, unique } from "./label-helpers";

/** A project of judged pairs with a planted preference, imported the way a researcher would from the terminal. */
function importPlanted(project: string) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-ws-e2e-")), "planted.jsonl");
  fs.writeFileSync(file, plantedJsonl(40, (i) => `The film ${i}`, "was "));
  cli(["import", file, "--project", project]);
}

const runsOf = (project: string) =>
  (e2eDb().$client.prepare("select count(*) as n from training_runs r join projects p on p.id = r.project_id where p.name = ?").get(project) as { n: number }).n;

/** The version a run registered, as the lineage labels it ("builtin@3": versions count across projects). */
const versionOf = (runId: number) =>
  (e2eDb().$client.prepare("select name || '@' || version as label from policies where run_id = ?").get(runId) as { label: string }).label;

/** What the run page shows right now: progress (0..100) and points on the loss chart. */
async function runState(page: Page) {
  const progress = Number(await page.getByRole("progressbar").getAttribute("aria-valuenow", { timeout: 10_000 }));
  const chart = page.getByTestId("metric-charts").getByTestId("loss-chart").first();
  const points = (await chart.count()) ? Number(await chart.getAttribute("data-points", { timeout: 10_000 })) : 0;
  return { progress, points, status: await page.getByTestId("run-status").innerText({ timeout: 10_000 }) };
}

/** Follows a run page until the run succeeds; returns every distinct state seen on the way. */
async function watchUntilDone(page: Page) {
  const seen: Array<{ progress: number; points: number; status: string }> = [];
  await expect
    .poll(async () => {
      const state = await runState(page);
      const last = seen.at(-1);
      if (!last || last.progress !== state.progress || last.points !== state.points || last.status !== state.status) seen.push(state);
      if (state.status === "failed") throw new Error(`the run failed: ${await page.getByRole("alert").first().innerText()}`);
      return state.status;
    }, { timeout: 300_000, intervals: [250] })
    .toBe("succeeded");
  return seen;
}

test("a researcher launches a DPO run from the generated form, watches it train, compares it with an earlier run on one chart and opens the policy lineage", async ({ page }) => {
  test.setTimeout(900_000);
  const project = unique("workspace");
  importPlanted(project);
  await signIn(page, ADMIN);

  // The projects list opens the project's workspace; the overview charts what was judged.
  await page.goto("/projects");
  await page.getByRole("link", { name: project, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}$`));
  await expect(page.getByTestId("workspace-project")).toHaveText(project);
  await expect(page.getByTestId("chart-judgements")).toContainText("40 in all");
  const sections = page.getByRole("navigation", { name: "Workspace sections" });
  await expect(sections.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");

  // The launch form is generated from the kind's schema: each field labelled, with its default and its one-line description.
  await sections.getByRole("link", { name: "Training" }).click();
  const form = page.getByRole("form", { name: "Launch a run" });
  await expect(form.getByRole("combobox", { name: "Kind" })).toHaveValue("dpo");
  const field = (name: string) => form.getByRole("spinbutton", { name, exact: true });
  await expect(field("beta")).toHaveValue("0.1");
  await expect(field("beta")).toHaveAccessibleDescription(/β: how far the policy may move from the reference.*Default: 0\.1/);
  await expect(form.getByRole("combobox", { name: "lossType" })).toHaveValue("sigmoid");
  await expect(form.getByRole("checkbox", { name: "Use lora" })).not.toBeChecked();

  // A bad value is refused beside its field with the schema's message, and nothing is queued.
  await field("beta").fill("0");
  await form.getByRole("button", { name: "Start training" }).click();
  await expect(field("beta")).toHaveAccessibleDescription(/Too small: expected number to be >0/);
  await expect(field("beta")).toBeFocused();
  await expect(form.getByText("Nothing was queued")).toBeVisible();
  await expect(page.getByRole("table", { name: "runs" })).toContainText("No runs for this project yet.");
  expect(runsOf(project)).toBe(0);

  // A tiny run: one epoch, a few steps of two pairs, a one-prompt held-out evaluation.
  await field("beta").fill("0.1");
  await field("epochs").fill("1");
  await field("maxSteps").fill("8");
  await field("batchSize").fill("2");
  await field("evalInterval").fill("4");
  const evaluation = form.getByRole("group", { name: "evaluation" });
  await evaluation.getByRole("spinbutton", { name: "prompts", exact: true }).fill("1");
  await evaluation.getByRole("spinbutton", { name: "maxNewTokens", exact: true }).fill("4");
  await form.getByRole("button", { name: "Start training" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/runs/\\d+$`));
  const firstRun = Number(page.url().split("/").at(-1));
  expect(runsOf(project)).toBe(1);

  // Its page follows it as it trains: progress and the loss chart move from nothing to done.
  const seen = await watchUntilDone(page);
  // Read once more now that the page has stopped polling (the three reads above are not one snapshot).
  const done = await runState(page);
  expect(seen[0]!.progress).toBeLessThan(100);
  expect(done).toMatchObject({ progress: 100, status: "succeeded" });
  expect(done.points).toBeGreaterThan(seen[0]!.points);
  await expect(page.getByTestId("run-engine")).toContainText(/threads=\d/);
  const charts = page.getByTestId("metric-charts");
  for (const family of ["loss", "rewards"]) await expect(charts.getByRole("heading", { name: family, exact: true })).toBeVisible();
  await expect(page.getByText(/dpo \(sigmoid, β=0\.1\) on \d+ preference pairs/)).toBeVisible();

  // Clone and edit: the form comes back with this run's config; a second run with another β.
  await page.getByRole("link", { name: "Clone and edit" }).click();
  await expect(page).toHaveURL(new RegExp(`/training\\?clone=${firstRun}`));
  await expect(field("maxSteps")).toHaveValue("8");
  await expect(field("batchSize")).toHaveValue("2");
  await field("beta").fill("0.5");
  await form.getByRole("button", { name: "Start training" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/runs/\\d+$`));
  const secondRun = Number(page.url().split("/").at(-1));
  expect(secondRun).toBeGreaterThan(firstRun);
  await watchUntilDone(page);

  // Both runs on one chart per metric, a line each, and what their configs change.
  await sections.getByRole("link", { name: "Training" }).click();
  await page.getByRole("checkbox", { name: `Compare run #${firstRun}` }).check();
  await page.getByRole("checkbox", { name: `Compare run #${secondRun}` }).check();
  await page.getByRole("button", { name: "Compare 2 runs" }).click();
  await expect(page).toHaveURL(new RegExp(`/training/compare\\?runs=${firstRun},${secondRun}$`));
  const loss = page.getByRole("region", { name: "loss of 2 runs", exact: true });
  await expect(loss.getByText(`run #${firstRun} (dpo)`)).toBeVisible();
  await expect(loss.getByText(`run #${secondRun} (dpo)`)).toBeVisible();
  const differences = page.getByRole("table", { name: "config differences" });
  await expect(differences.getByRole("row").filter({ hasText: /^beta/ })).toContainText(/0\.1\s*0\.5/);

  // The lineage: both new versions under the built-in policy, each with its run, data and held-out numbers.
  const [first, second] = [versionOf(firstRun), versionOf(secondRun)];
  await sections.getByRole("link", { name: "Policies" }).click();
  const lineage = page.getByRole("list", { name: "policy lineage" });
  const root = lineage.getByTestId("lineage-builtin@1");
  const child = root.getByTestId(`lineage-${first}`);
  await expect(child).toBeVisible();
  await expect(root.getByTestId(`lineage-${second}`)).toBeVisible();
  await expect(child.getByRole("link", { name: `run #${firstRun}` })).toBeVisible();
  await expect(child.getByTestId("lineage-data")).toContainText(/preference pairs over \d+ prompts/);
  await expect(child).toContainText(/Held out against builtin@1: KL -?\d+\.\d{3}/);

  // Deep link to a version: where it comes from and what made it.
  await child.getByRole("link", { name: first, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/policies/\\d+$`));
  await expect(page.getByLabel("ancestry")).toHaveText(`builtin@1 → ${first}`);
  await page.screenshot({ path: "test-results/workspace-policy.png", fullPage: true });
});
