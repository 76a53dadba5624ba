import { expect, test } from "@playwright/test";
import { addAnnotator, completionId, createProject, e2eDb, importCompletions, openLabeling, shownTaskId, unique } from "./label-helpers";

/** A project without ties or partial rankings: a repeated rank moves, an incomplete ranking is explained, not sent. */

test("without ties a repeated rank moves to the new card, and an incomplete ranking is refused with the reason", async ({ page }) => {
  const project = unique("rank-rules");
  createProject(project, { judgementsPerTask: 1, allowRankTies: false, allowPartialRanking: false });
  importCompletions(project, [{ prompt: `Strict order ${project}`, completions: ["p", "q", "r"].map((c) => `${c} ${project}`) }]);
  await openLabeling(page, addAnnotator(), project);
  const taskId = await shownTaskId(page);
  await expect(page.getByText("No ties: each rank once.")).toBeVisible();
  const shown = (await page.getByTestId("rank-card").getByTestId("completion-text").allInnerTexts()).map((t) => t.trim());

  await page.keyboard.press("1");
  await page.keyboard.press("1");
  await expect(page.getByTestId("rank-badge")).toHaveText(["–", "1", "–"]);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "Rank all" })).toHaveText("Rank all 3 completions (2 left).");

  await page.keyboard.press("k");
  await page.keyboard.press("k");
  await page.keyboard.press("2");
  await page.keyboard.press("j");
  await page.keyboard.press("3");
  await expect(page.getByTestId("rank-badge")).toHaveText(["2", "1", "3"]);
  await expect(page.getByRole("alert").filter({ hasText: "Rank all" })).toHaveCount(0);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Judgement saved" })).toBeVisible();
  const row = e2eDb().$client.prepare("select ranking from judgements where task_id = ?").get(taskId) as { ranking: string };
  expect(JSON.parse(row.ranking)).toEqual([[completionId(shown[1]!)], [completionId(shown[0]!)], [completionId(shown[2]!)]]);
});
