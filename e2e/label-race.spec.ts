import { expect, test, type Browser } from "@playwright/test";
import { addAnnotator, createProject, e2eDb, importCompletions, openLabeling, shownTaskId, unique } from "./label-helpers";

/** Story (b): two annotators race for the last slot of a task; the target is never overshot. */

async function annotatorPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage(), user: addAnnotator("racer") };
}

const taskRow = (taskId: number) =>
  e2eDb().$client.prepare("select judgement_count, required_judgements, status from tasks where id = ?").get(taskId) as {
    judgement_count: number;
    required_judgements: number;
    status: string;
  };
const liveJudgements = (taskId: number) =>
  (e2eDb().$client.prepare("select count(*) n from judgements where task_id = ? and undone_at is null").get(taskId) as { n: number }).n;

test("two annotators racing for the last slot of a task never overshoot", async ({ browser }) => {
  const project = unique("race");
  createProject(project, { judgementsPerTask: 1 });
  importCompletions(project, [{ prompt: `Only one may judge ${project}`, completions: [`left ${project}`, `right ${project}`] }]);
  const [one, two] = [await annotatorPage(browser), await annotatorPage(browser)];

  // Both open the project at the same moment: exactly one gets the task, the other an empty queue.
  await Promise.all([openLabeling(one.page, one.user, project), openLabeling(two.page, two.user, project)]);
  const outcome = async (p: typeof one) => (await p.page.getByTestId("task").or(p.page.getByTestId("queue-empty")).getAttribute("data-testid"))!;
  const seen = await Promise.all([outcome(one), outcome(two)]);
  expect([...seen].sort()).toEqual(["queue-empty", "task"]);
  const [holder, waiter] = seen[0] === "task" ? [one, two] : [two, one];
  const taskId = Number(await holder.page.getByTestId("task").getAttribute("data-task-id"));

  // The holder's lease runs out; the waiter checks again and takes the freed slot.
  e2eDb().$client.prepare("update assignments set expires_at = ? where task_id = ?").run(Date.now() - 1000, taskId);
  await waiter.page.keyboard.press("n");
  expect(await shownTaskId(waiter.page)).toBe(taskId);

  // Both submit at once: one is saved, the other is told why not, and the task has exactly one judgement.
  const judge = async (p: typeof one, key: string) => {
    await p.page.keyboard.press(key);
    await p.page.keyboard.press("2");
    await p.page.keyboard.press("Enter");
  };
  await Promise.all([judge(holder, "a"), judge(waiter, "d")]);
  await expect(waiter.page.getByRole("status").filter({ hasText: "Judgement saved" })).toBeVisible();
  await expect(holder.page.getByRole("alert").filter({ hasText: /\w/ })).toContainText(/given to others|already has all the judgements|no longer hold/);
  expect(liveJudgements(taskId)).toBe(1);
  expect(taskRow(taskId)).toEqual({ judgement_count: 1, required_judgements: 1, status: "complete" });
  const saved = e2eDb().$client.prepare("select outcome from judgements where task_id = ?").all(taskId);
  expect(saved).toEqual([{ outcome: "right" }]);
  await Promise.all([one.context.close(), two.context.close()]);
});
