import { expect, test } from "@playwright/test";
import { ADMIN, plantedJsonl, signIn } from "./helpers";
import { addAnnotator, e2eDb, openLabeling, shownTaskId } from "./label-helpers";

test("a researcher launches a DPO run from the project's training section (config edited as JSON), sees TRL's metrics and its new policy version, whose samples reach an annotator's queue and get labeled", async ({ page, browser }) => {
  test.setTimeout(600_000);
  await signIn(page, ADMIN);
  await page.goto("/projects");
  await page.locator('input[type="file"]').setInputFiles({ name: "planted.jsonl", mimeType: "application/json", buffer: Buffer.from(plantedJsonl(40, (i) => `The film ${i}`, "was ")) });
  await page.getByLabel("Project").fill("dpo-e2e");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toHaveText(/Imported 40 rows/, { timeout: 60_000 });
  await page.getByTestId("project-dpo-e2e").getByRole("link", { name: "dpo-e2e" }).click();
  await page.getByRole("navigation", { name: "Workspace sections" }).getByRole("link", { name: "Training" }).click();

  // A config naming a server file is refused with the field's message, and nothing is queued.
  await page.getByRole("combobox", { name: /^Kind/ }).selectOption("reward");
  await page.getByRole("button", { name: "Edit as JSON" }).click();
  await page.getByRole("textbox", { name: /^Config/ }).fill(JSON.stringify({ base: "/etc" }));
  await page.getByRole("button", { name: "Start training" }).click();
  await expect(page.getByText(/base names a file on the server and is accepted only from the command line/)).toBeVisible();

  await page.getByRole("combobox", { name: /^Kind/ }).selectOption("dpo");
  await expect(page.getByText(/Direct Preference Optimization/)).toBeVisible();
  // The form shows the kind's defaults; the run starts from them with a few fields changed.
  await page.getByRole("button", { name: "Edit as JSON" }).click();
  const config = page.getByRole("textbox", { name: /^Config/ });
  await expect(config).toHaveValue(/"beta": 0\.1/);
  await config.fill(JSON.stringify({ maxSteps: 4, batchSize: 4, evalInterval: 2, evaluation: { prompts: 2, maxNewTokens: 4 }, sampleAfter: { maxPrompts: 2, maxNewTokens: 8 } }));
  await page.getByRole("button", { name: "Start training" }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 240_000 });
  const metrics = page.getByRole("table", { name: "latest metrics" });
  for (const name of ["rewards/accuracies", "rewards/margins", "eval_loss", "test_rewards/accuracies", "kl_to_reference"]) await expect(metrics.getByText(name, { exact: true })).toBeVisible();
  const registered = await page.getByText(/registered policy builtin@\d+ \(id \d+\)/).innerText();
  const policyId = Number(/\(id (\d+)\)/.exec(registered)![1]);

  // The run ends with a sample round: the new version's samples become tasks in the queue.
  const queued = await page.getByText(/queued sample run \d+/).innerText();
  const sampleRun = Number(/queued sample run (\d+)/.exec(queued)![1]);
  await page.goto(`/runs/${sampleRun}`);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.getByRole("table", { name: "latest metrics" }).getByText("tasks_created", { exact: true })).toBeVisible();
  const sampled = e2eDb().$client.prepare("select count(*) as n from tasks t join projects p on p.id = t.project_id where p.name = 'dpo-e2e' and t.priority > 0").get();
  expect(sampled).toEqual({ n: 2 });

  // An annotator is served one of them first (they carry a higher priority) and labels it.
  const annotator = await browser.newPage();
  await openLabeling(annotator, addAnnotator("loop"), "dpo-e2e");
  const taskId = await shownTaskId(annotator);
  const shownPolicies = e2eDb().$client.prepare("select c.policy_id as p from tasks t join completions c on c.id in (select value from json_each(t.completion_ids)) where t.id = ?").all(taskId) as Array<{ p: number }>;
  expect(shownPolicies.map((r) => r.p)).toContain(policyId);
  await annotator.keyboard.press("a");
  await annotator.keyboard.press("2");
  await annotator.keyboard.press("Enter");
  await expect(annotator.getByRole("status").filter({ hasText: "Judgement saved" })).toBeVisible();
  expect(e2eDb().$client.prepare("select count(*) as n from judgements where task_id = ?").get(taskId)).toEqual({ n: 1 });
  await annotator.close();
});
