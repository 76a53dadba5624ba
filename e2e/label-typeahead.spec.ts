import { expect, test, type Page } from "@playwright/test";
import { addAnnotator, completionId, createProject, e2eDb, importCompletions, openLabeling, pressBackToBackUnderLoad, shownTaskId, unique } from "./label-helpers";

/**
 * A keyboard-only annotator types faster than the screen moves from one task to the next: no key
 * is lost, none lands on a task it was not meant for, and a task is never submitted unseen
 * (app/label/typeahead.ts has the rule). Keys are sent back to back on a 6x slowed page; where a
 * test needs the gap between two tasks to be long, the submit request is held until the keys are in.
 */

type Row = { task_id: number; outcome: string | null; strength: number | null; ranking: string | null; undone: number };

/** The annotator's judgements, oldest first, as the database holds them. */
function judgementsOf(username: string): Row[] {
  return e2eDb()
    .$client.prepare(
      `select j.task_id, j.outcome, j.strength, j.ranking, j.undone_at is not null undone
       from judgements j join users u on u.id = j.annotator_id where u.username = ? order by j.id`,
    )
    .all(username) as Row[];
}

/**
 * Presses `keys` back to back with the first submit they make held until every key is in: the
 * keys after its Enter all fall in the gap before the next task, however fast the server is.
 */
async function typeWhileSaving(page: Page, keys: string[]) {
  let release!: () => void;
  let requested!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const seen = new Promise<void>((r) => (requested = r));
  await page.route(/\/api\/trpc\/[^?]*labeling\.submit/, async (route) => {
    requested();
    await released;
    await route.continue();
  });
  await pressBackToBackUnderLoad(page, keys);
  await seen;
  release();
}

/** The ready task on screen once it is not `previous` (the one just acted on). */
async function nextTaskId(page: Page, previous: number): Promise<number> {
  const task = page.locator(`[data-testid="task"][data-ready="true"]:not([data-task-id="${previous}"])`);
  await expect(task).toBeVisible();
  return Number(await task.getAttribute("data-task-id"));
}

const pressed = (page: Page, name: RegExp) => page.getByRole("button", { name }).getAttribute("aria-pressed");

function pairProject(tag: string, tasks: number) {
  const project = unique(tag);
  createProject(project, { judgementsPerTask: 1 });
  importCompletions(project, Array.from({ length: tasks }, (_, i) => ({ prompt: `Task ${i + 1} ${project}`, completions: [`one ${i} ${project}`, `two ${i} ${project}`] })));
  return project;
}

test("choices typed while a judgement is saved preselect the next task; the Enter typed then never submits it unseen", async ({ page }) => {
  const project = pairProject("ahead-pair", 3);
  const annotator = addAnnotator();
  await openLabeling(page, annotator, project);
  const first = await shownTaskId(page);

  await typeWhileSaving(page, ["a", "1", "Enter", "d", "2", "Enter", "t", "Enter"]);

  const second = await nextTaskId(page, first);
  await expect.poll(() => pressed(page, /Right is better/)).toBe("true");
  await expect.poll(() => pressed(page, /Clearly/)).toBe("true");
  await expect(page.getByTestId("typeahead-note")).toHaveText("Not applied, pressed before this task appeared: Enter, T, Enter. Look at the task, then press them again.");
  expect(judgementsOf(annotator.username)).toEqual([{ task_id: first, outcome: "left", strength: 1, ranking: null, undone: 0 }]);

  // Seen now: Enter sends what the typeahead chose; the third task starts clean.
  await page.keyboard.press("Enter");
  const third = await nextTaskId(page, second);
  expect(third).not.toBe(first);
  expect(await pressed(page, /Tie/)).toBe("false");
  await expect(page.getByTestId("typeahead-note")).toHaveCount(0);
  expect(judgementsOf(annotator.username).map((r) => [r.task_id, r.outcome, r.strength])).toEqual([
    [first, "left", 1],
    [second, "right", 2],
  ]);
});

test("U typed while a judgement is saved undoes it, and the keys after it change the task it brings back", async ({ page }) => {
  const project = pairProject("ahead-undo", 2);
  const annotator = addAnnotator();
  await openLabeling(page, annotator, project);
  const first = await shownTaskId(page);

  await typeWhileSaving(page, ["d", "3", "Enter", "u", "a"]);

  await expect(page.getByRole("status").filter({ hasText: "Undone" })).toBeVisible();
  await expect(page.locator('[data-testid="task"][data-ready="true"]')).toHaveAttribute("data-task-id", String(first));
  await expect.poll(() => pressed(page, /Left is better/)).toBe("true");
  expect(await pressed(page, /Much/)).toBe("true");
  await page.keyboard.press("Enter");
  await nextTaskId(page, first);
  expect(judgementsOf(annotator.username).map((r) => [r.task_id, r.outcome, r.strength, r.undone])).toEqual([
    [first, "right", 3, 1],
    [first, "left", 3, 0],
  ]);
});

test("a keyboard drag typed while a ranking is saved reorders the next ranking, which is then submitted as shown", async ({ page }) => {
  const project = unique("ahead-rank");
  createProject(project, { judgementsPerTask: 1, allowRankTies: false });
  importCompletions(project, [1, 2].map((i) => ({ prompt: `Order ${i} ${project}`, completions: ["x", "y", "z"].map((c) => `${c}${i} ${project}`) })));
  const annotator = addAnnotator();
  await openLabeling(page, annotator, project);
  const first = await shownTaskId(page);

  await typeWhileSaving(page, ["1", "2", "3", "Enter", "j", "j", "Space", "ArrowUp", "ArrowUp", "Space"]);

  const second = await nextTaskId(page, first);
  await expect(page.getByTestId("rank-badge")).toHaveText(["1", "2", "3"]);
  const order = (await page.getByTestId("rank-card").getByTestId("completion-text").allInnerTexts()).map((t) => t.trim());
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  const rows = judgementsOf(annotator.username);
  expect(rows.map((r) => r.task_id)).toEqual([first, second]);
  expect(JSON.parse(rows[1]!.ranking!)).toEqual(order.map((t) => [completionId(t)]));
  // The card that was last on screen is now first: the drag ran on the second ranking, not the first.
  const shownOrder = JSON.parse((e2eDb().$client.prepare("select display_order from judgements where task_id = ?").get(second) as { display_order: string }).display_order) as number[];
  expect(order.map((t) => completionId(t))).toEqual([shownOrder[2], shownOrder[0], shownOrder[1]]);
});

test("choices typed for a pair are not applied to a ranking that comes next; the note names them", async ({ page }) => {
  const project = unique("ahead-kind");
  createProject(project, { judgementsPerTask: 1 });
  importCompletions(project, [
    { prompt: `Pair ${project}`, completions: [`p1 ${project}`, `p2 ${project}`] },
    { prompt: `Rank ${project}`, completions: [`r1 ${project}`, `r2 ${project}`, `r3 ${project}`] },
  ]);
  const annotator = addAnnotator();
  await openLabeling(page, annotator, project);
  const first = await shownTaskId(page);

  await typeWhileSaving(page, ["a", "1", "Enter", "d", "2"]);

  await nextTaskId(page, first);
  await expect(page.getByTestId("typeahead-note")).toHaveText("Not applied, pressed before this task appeared: D, 2. Look at the task, then press them again.");
  await expect(page.getByTestId("rank-badge")).toHaveText(["–", "–", "–"]);
  expect(judgementsOf(annotator.username).map((r) => [r.task_id, r.outcome, r.strength])).toEqual([[first, "left", 1]]);
});

test("keys pressed the moment the next task is in the page all count, Enter included, task after task", async ({ page }) => {
  const project = pairProject("ahead-sight", 4);
  const annotator = addAnnotator();
  await openLabeling(page, annotator, project);
  const answers: Array<[string, string, number]> = [
    ["a", "left", 1],
    ["d", "right", 3],
    ["a", "left", 2],
    ["d", "right", 1],
  ];
  const seen: number[] = [await shownTaskId(page)];
  for (const [i, [key, , strength]] of answers.entries()) {
    if (i > 0) {
      // Attached, not yet "ready": the keys go in as soon as the task is in the page.
      const task = page.locator(`[data-testid="task"]:not([data-task-id="${seen.at(-1)}"])`);
      await task.waitFor({ state: "attached" });
      seen.push(Number(await task.getAttribute("data-task-id")));
    }
    await pressBackToBackUnderLoad(page, [key, String(strength), "Enter"]);
  }
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  expect(judgementsOf(annotator.username).map((r) => [r.task_id, r.outcome, r.strength])).toEqual(answers.map(([, outcome, strength], i) => [seen[i], outcome, strength]));
  await expect(page.getByTestId("typeahead-note")).toHaveCount(0);
});
