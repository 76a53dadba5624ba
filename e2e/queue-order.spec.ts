import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN, plantedJsonl, signIn } from "./helpers";
import { addAnnotator, cli, createProject, e2eDb, importCompletions, openLabeling, shownTaskId, unique } from "./label-helpers";

test("a researcher orders the queue by reward-model uncertainty in the labeling settings, and an annotator is served the pair the model is least sure about first", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const name = unique("active");
  createProject(name);
  const judged = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-active-")), "planted.jsonl");
  fs.writeFileSync(judged, plantedJsonl(40, (i) => `The film ${i}`, "was "));
  cli(["import", judged, "--project", name, "--format", "trl"]);
  cli(["train", "reward", "--project", name, "--kind", "linear", "--json"]);
  // Oldest first serves the first; the reward model cannot tell the last pair's answers apart.
  importCompletions(name, [
    { prompt: "New review 0:", completions: [" was great fun", " was weak and not good"] },
    { prompt: "New review 1:", completions: [" a great cast", " a weak plot"] },
    { prompt: "New review 2:", completions: [" the movie was good", " the movie was good"] },
  ]);

  await signIn(page, ADMIN);
  await page.goto(`/projects/${name}/labeling`);
  const order = page.getByRole("combobox", { name: "Queue order" });
  await expect(order).toHaveValue("oldest");
  await expect(page.getByText("Current order: oldest first.")).toBeVisible();
  await order.selectOption("uncertainty");
  await expect(page.getByRole("combobox", { name: "Reward model for uncertainty" })).toHaveValue("");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByTestId("queue-order-status")).toHaveText(/^Current order: uncertainty with reward model reward-\d+ \(linear\), 3 tasks scored /);

  const annotator = await browser.newPage();
  await openLabeling(annotator, addAnnotator("active"), name);
  const taskId = await shownTaskId(annotator);
  const texts = e2eDb().$client.prepare("select c.text from tasks t join completions c on c.id in (select value from json_each(t.completion_ids)) where t.id = ?").all(taskId) as Array<{ text: string }>;
  expect(texts.map((t) => t.text)).toEqual([" the movie was good", " the movie was good"]);
  await annotator.close();
});
