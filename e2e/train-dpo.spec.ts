import { expect, test } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

/** TRL rows with a planted preference: the preferred continuation says "great", the other never does. */
function plantedJsonl(prompts: number): string {
  const words = ["the", "movie", "was", "film", "not", "good", "a", "cast", "and", "weak", "plot"];
  const pick = (i: number, k: number) => words[(i * 7 + k * 3) % words.length];
  return Array.from({ length: prompts }, (_, i) =>
    JSON.stringify({ prompt: `The film ${i}`, chosen: ` was ${pick(i, 0)} great ${pick(i, 1)}`, rejected: ` was ${pick(i, 2)} ${pick(i, 3)} ${pick(i, 4)}` }),
  ).join("\n");
}

test("a researcher launches a DPO run from the dashboard and sees TRL's metrics and the new policy version it registered", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, ADMIN);
  await page.goto("/dashboard");
  await page.locator('input[type="file"]').setInputFiles({ name: "planted.jsonl", mimeType: "application/json", buffer: Buffer.from(plantedJsonl(40)) });
  await page.getByLabel("Project").fill("dpo-e2e");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toHaveText(/Imported 40 rows/, { timeout: 60_000 });
  await page.getByTestId("project-dpo-e2e").getByRole("button", { name: "dpo-e2e" }).click();

  await page.getByRole("combobox", { name: /^Kind/ }).selectOption("dpo");
  await expect(page.getByText(/Direct Preference Optimization/)).toBeVisible();
  // The form shows the kind's defaults; the run starts from them with a few fields changed.
  const config = page.getByRole("textbox", { name: /^Config/ });
  await expect(config).toHaveValue(/"beta": 0\.1/);
  await config.fill(JSON.stringify({ maxSteps: 4, batchSize: 4, evalInterval: 2, evaluation: { prompts: 2, maxNewTokens: 4 } }));
  await page.getByRole("button", { name: "Start training" }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 240_000 });
  const metrics = page.getByRole("table", { name: "latest metrics" });
  for (const name of ["rewards/accuracies", "rewards/margins", "eval_loss", "test_rewards/accuracies", "kl_to_reference"]) await expect(metrics.getByText(name, { exact: true })).toBeVisible();
  await expect(page.getByText(/registered policy builtin@\d+ \(id \d+\)/)).toBeVisible();

  // A config naming a server file is refused with the field's message, and nothing is queued.
  await page.goBack();
  await page.getByRole("combobox", { name: /^Kind/ }).selectOption("reward");
  await page.getByRole("textbox", { name: /^Config/ }).fill(JSON.stringify({ base: "/etc" }));
  await page.getByRole("button", { name: "Start training" }).click();
  await expect(page.getByText(/base names a file on the server and is accepted only from the command line/)).toBeVisible();
});
