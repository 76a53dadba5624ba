import { expect, test, type Page } from "@playwright/test";
import { addAnnotator, addCorrectionTask, completionId, createProject, e2eDb, importCompletions, openLabeling, shownTaskId, unique } from "./label-helpers";

/** Story (a): each task kind done with the keyboard alone; the database holds exactly what was chosen. */

type JudgementRow = {
  outcome: string | null;
  strength: number | null;
  ranking: string | null;
  chosen_completion_id: number | null;
  corrected_completion_id: number | null;
  rationale: string | null;
  display_order: string;
  seconds_on_task: number;
  undone_at: number | null;
};

function judgementsOf(taskId: number): JudgementRow[] {
  return e2eDb().$client.prepare("select * from judgements where task_id = ? order by id").all(taskId) as JudgementRow[];
}

const texts = (page: Page, scope: string) => page.getByTestId(scope).getByTestId("completion-text").allInnerTexts();
const saved = (page: Page) => expect(page.getByRole("status").filter({ hasText: "Judgement saved" })).toBeVisible();

test("pairwise: right is much better, with a rationale, all from the keyboard", async ({ page }) => {
  const project = unique("kb-pair");
  createProject(project, { judgementsPerTask: 1 });
  const [a, b] = [`First answer ${project}`, `Second answer ${project}`];
  importCompletions(project, [{ prompt: `Which is better? ${project}`, completions: [a, b] }]);
  await openLabeling(page, addAnnotator(), project);
  const taskId = await shownTaskId(page);
  const shown = [...(await texts(page, "completion-left")), ...(await texts(page, "completion-right"))].map((t) => completionId(t.trim()));

  await page.keyboard.press("d");
  await page.keyboard.press("3");
  await expect(page.getByRole("button", { name: /Much/ })).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("r");
  await page.keyboard.type("more specific");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");
  await saved(page);
  await expect(page.getByTestId("queue-empty")).toBeVisible();

  const rows = judgementsOf(taskId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ outcome: "right", strength: 3, rationale: "more specific", ranking: null, undone_at: null });
  expect(JSON.parse(rows[0]!.display_order)).toEqual(shown);
  expect(rows[0]!.seconds_on_task).toBeGreaterThan(0);
});

test("ranking: number keys on the focused card, a tie, a correction with 0 and j/k, Ctrl+Enter from the rationale", async ({ page }) => {
  const project = unique("kb-rank");
  createProject(project, { judgementsPerTask: 1, allowRankTies: true });
  const wanted: Record<string, number> = { [`best ${project}`]: 1, [`good ${project}`]: 2, [`also good ${project}`]: 2, [`worst ${project}`]: 3 };
  importCompletions(project, [{ prompt: `Rank these ${project}`, completions: Object.keys(wanted) }]);
  await openLabeling(page, addAnnotator(), project);
  const taskId = await shownTaskId(page);
  const shown = (await page.getByTestId("rank-card").getByTestId("completion-text").allInnerTexts()).map((t) => t.trim());

  // A wrong rank on the first card, then every card top to bottom (focus moves on by itself).
  await page.keyboard.press("4");
  await page.keyboard.press("k");
  await page.keyboard.press("0");
  for (const text of shown) await page.keyboard.press(String(wanted[text]));
  const badges = await page.getByTestId("rank-badge").allInnerTexts();
  expect(badges).toEqual(shown.map((t) => String(wanted[t])));
  await page.keyboard.press("r");
  await page.keyboard.type("two are equally good");
  await page.keyboard.press("Control+Enter");
  await saved(page);

  const rows = judgementsOf(taskId);
  expect(rows).toHaveLength(1);
  const groups = (JSON.parse(rows[0]!.ranking!) as number[][]).map((g) => [...g].sort((x, y) => x - y));
  const idsAt = (rank: number) => shown.filter((t) => wanted[t] === rank).map((t) => completionId(t)).sort((x, y) => x - y);
  expect(groups).toEqual([idsAt(1), idsAt(2), idsAt(3)]);
  expect(JSON.parse(rows[0]!.display_order)).toEqual(shown.map((t) => completionId(t)));
  expect(rows[0]).toMatchObject({ rationale: "two are equally good", outcome: null });
  expect(rows[0]!.seconds_on_task).toBeGreaterThan(0);
});

test("correction: choose the better one, edit it inline, see the diff, submit", async ({ page }) => {
  const project = unique("kb-corr");
  const projectId = createProject(project, { judgementsPerTask: 1 });
  const [a, b] = [`The capital of France is Lyon ${project}`, `France has a capital ${project}`];
  const taskId = addCorrectionTask(projectId, `Name the capital of France ${project}`, [a, b]);
  await openLabeling(page, addAnnotator(), project);
  expect(await shownTaskId(page)).toBe(taskId);
  const shown = [...(await texts(page, "completion-1")), ...(await texts(page, "completion-2"))].map((t) => t.trim());
  const chosen = shown.find((t) => t === a)!;
  const key = String(shown.indexOf(chosen) + 1);

  await page.keyboard.press(key);
  await page.keyboard.press("e");
  await page.keyboard.press("Control+End");
  await page.keyboard.type(" (actually: Paris)");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("correction-diff").locator("ins")).toHaveText(/actually: Paris/);
  await page.keyboard.press("Enter");
  await saved(page);

  const rows = judgementsOf(taskId);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.chosen_completion_id).toBe(completionId(a));
  const corrected = e2eDb().$client.prepare("select text, origin from completions where id = ?").get(rows[0]!.corrected_completion_id) as { text: string; origin: string };
  expect(corrected).toEqual({ text: `${a} (actually: Paris)`, origin: "correction" });
  expect(JSON.parse(rows[0]!.display_order)).toEqual(shown.map((t) => completionId(t)));
  expect(rows[0]!.seconds_on_task).toBeGreaterThan(0);
});

test("undo brings the last judgement back filled in, and the new answer replaces it", async ({ page }) => {
  const project = unique("kb-undo");
  createProject(project, { judgementsPerTask: 1 });
  importCompletions(project, [{ prompt: `Undo me ${project}`, completions: [`one ${project}`, `two ${project}`] }]);
  await openLabeling(page, addAnnotator(), project);
  const taskId = await shownTaskId(page);
  await page.keyboard.press("a");
  await page.keyboard.press("1");
  await page.keyboard.press("Enter");
  await saved(page);
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  await page.keyboard.press("u");
  expect(await shownTaskId(page)).toBe(taskId);
  await expect(page.getByRole("button", { name: /Left is better/ })).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("t");
  await page.keyboard.press("Enter");
  await saved(page);
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  const rows = judgementsOf(taskId);
  expect(rows.map((r) => [r.outcome, r.strength, r.undone_at === null])).toEqual([
    ["left", 1, false],
    ["tie", null, true],
  ]);
});
