import { expect, test, type Page } from "@playwright/test";
import { addAnnotator, completionId, createProject, e2eDb, importCompletions, openLabeling, pressBackToBackUnderLoad, shownTaskId, unique } from "./label-helpers";

/** Ranking by drag and drop: with a mouse, a finger (touch events) and the keyboard (Space, arrows, Space). */

const cardTexts = async (page: Page) => (await page.getByTestId("rank-card").getByTestId("completion-text").allInnerTexts()).map((t) => t.trim());

async function openRankTask(page: Page, tag: string) {
  const project = unique(tag);
  createProject(project, { judgementsPerTask: 1, allowRankTies: false });
  importCompletions(project, [{ prompt: `Order these ${project}`, completions: ["x", "y", "z"].map((c) => `${c} ${project}`) }]);
  await openLabeling(page, addAnnotator(), project);
  return { taskId: await shownTaskId(page), before: await cardTexts(page) };
}

/** After the drop the list is the ranking; Enter sends it and the database holds that order. */
async function expectRankedAndSaved(page: Page, taskId: number, order: string[]) {
  await expect.poll(() => cardTexts(page)).toEqual(order);
  await expect(page.getByTestId("rank-badge")).toHaveText(["1", "2", "3"]);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Judgement saved" })).toBeVisible();
  const row = e2eDb().$client.prepare("select ranking from judgements where task_id = ?").get(taskId) as { ranking: string };
  expect(JSON.parse(row.ranking)).toEqual(order.map((t) => [completionId(t)]));
}

test("dragging the last card to the top with the mouse ranks the list in its new order", async ({ page }) => {
  const { taskId, before } = await openRankTask(page, "drag-mouse");
  const cards = page.getByTestId("rank-card");
  const from = (await cards.nth(2).boundingBox())!;
  const to = (await cards.nth(0).boundingBox())!;
  await page.mouse.move(from.x + 30, from.y + from.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(from.x + 30, from.y + from.height / 2 + ((to.y - from.y) * i) / 10);
  await page.mouse.up();
  await expectRankedAndSaved(page, taskId, [before[2]!, before[0]!, before[1]!]);
});

test("a long press and a swipe on a touch screen moves a card", async ({ browser }) => {
  const context = await browser.newContext({ hasTouch: true, viewport: { width: 420, height: 900 } });
  const page = await context.newPage();
  const { taskId, before } = await openRankTask(page, "drag-touch");
  const cards = page.getByTestId("rank-card");
  const from = (await cards.nth(2).boundingBox())!;
  const to = (await cards.nth(0).boundingBox())!;
  const cdp = await context.newCDPSession(page);
  const point = (y: number) => [{ x: from.x + 30, y }];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: point(from.y + from.height / 2) });
  await page.waitForTimeout(400); // longer than the sensor's press delay: a deliberate drag, not a scroll
  for (let i = 1; i <= 10; i++)
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: point(from.y + from.height / 2 + ((to.y - from.y) * i) / 10) });
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await expectRankedAndSaved(page, taskId, [before[2]!, before[0]!, before[1]!]);
  await context.close();
});

test("Space lifts the focused card, arrows move it, Space drops it, with no key lost when pressed back to back", async ({ page }) => {
  const { taskId, before } = await openRankTask(page, "drag-keys");
  await pressBackToBackUnderLoad(page, ["j", "j", "Space", "ArrowUp", "ArrowUp", "Space"]);
  await expectRankedAndSaved(page, taskId, [before[2]!, before[0]!, before[1]!]);
});

test("Escape puts a lifted card back where it was, and the list stays unranked", async ({ page }) => {
  const { before } = await openRankTask(page, "drag-cancel");
  await pressBackToBackUnderLoad(page, ["j", "Space", "ArrowDown", "Escape", "j"]);
  await expect.poll(() => cardTexts(page)).toEqual(before);
  await expect(page.getByTestId("rank-badge")).toHaveText(["–", "–", "–"]);
  await expect(page.getByTestId("rank-card").nth(2)).toBeFocused(); // the last j moved focus on from the card put back
});
