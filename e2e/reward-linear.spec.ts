import { expect, test } from "@playwright/test";
import { ADMIN, plantedJsonl, signIn } from "./helpers";

test("a researcher trains a linear reward model from the project's training section, sees its held-out metrics and scores a completion", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/projects");
  await page.locator('input[type="file"]').setInputFiles({ name: "planted.jsonl", mimeType: "application/json", buffer: Buffer.from(plantedJsonl(80, (i) => `review ${i}:`)) });
  await page.getByLabel("Project").fill("reward-e2e");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toHaveText(/Imported 80 rows/, { timeout: 60_000 });
  await page.getByTestId("project-reward-e2e").getByRole("link", { name: "reward-e2e" }).click();
  await page.getByRole("navigation", { name: "Workspace sections" }).getByRole("link", { name: "Training" }).click();

  // Labels wrap their controls, so accessible names include the current value ("Kindreward").
  await page.getByRole("combobox", { name: /^Kind/ }).selectOption("reward");
  await page.getByRole("button", { name: "Edit as JSON" }).click();
  await page.getByRole("textbox", { name: /^Config/ }).fill(JSON.stringify({ kind: "linear", hashBits: 12 }));
  await page.getByRole("button", { name: "Start training" }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 90_000 });

  await page.goBack();
  const card = page.locator("section").filter({ has: page.getByRole("heading", { name: "Reward models" }) });
  const models = card.getByTestId("reward-models");
  await expect(models).toContainText("linear");
  await expect(models.locator("tbody tr").first().locator("td").nth(2)).toHaveText("1.000");
  await card.getByRole("textbox", { name: "Prompt", exact: true }).fill("review 1:");
  await card.getByRole("textbox", { name: "Completion", exact: true }).fill("a great cast");
  await card.getByRole("button", { name: "Score" }).click();
  await expect(card.getByTestId("reward-score")).toHaveText(/^-?\d+\.\d{4}/);
});
