import { expect, test } from "@playwright/test";
import { addAnnotator, createProject, importCompletions, openLabeling, shownTaskId, unique } from "./label-helpers";

/** Story (e): the median seconds per pairwise judgement of a keyboard-only annotator (printed, not asserted). */

const TASKS = 20;

test("a keyboard-only annotator's median seconds per pairwise judgement", async ({ page }) => {
  const project = unique("speed");
  createProject(project, { judgementsPerTask: 1 });
  const rows = Array.from({ length: TASKS }, (_, i) => ({ prompt: `Prompt ${i} ${project}`, completions: [`a${i} ${project}`, `b${i} ${project}`] }));
  importCompletions(project, rows);
  await openLabeling(page, addAnnotator("speedy"), project);

  const seconds: number[] = [];
  for (let i = 0; i < TASKS; i++) {
    const taskId = await shownTaskId(page);
    const start = performance.now();
    await page.keyboard.press(i % 2 ? "a" : "d");
    await page.keyboard.press(String((i % 3) + 1));
    await page.keyboard.press("Enter");
    // The judgement counts once the next task (or the end of the queue) is on screen and ready for keys.
    if (i < TASKS - 1) await expect(page.locator(`[data-testid="task"][data-ready="true"]:not([data-task-id="${taskId}"])`)).toBeVisible();
    else await expect(page.getByTestId("queue-empty")).toBeVisible();
    seconds.push((performance.now() - start) / 1000);
  }
  const sorted = [...seconds].sort((x, y) => x - y);
  const median = (sorted[TASKS / 2 - 1]! + sorted[TASKS / 2]!) / 2;
  console.log(`keyboard-only pairwise judgement: median ${median.toFixed(3)} s over ${TASKS} tasks (min ${sorted[0]!.toFixed(3)}, max ${sorted.at(-1)!.toFixed(3)})`);
  await expect(page.getByTestId("done-today")).toHaveText(String(TASKS));
});
