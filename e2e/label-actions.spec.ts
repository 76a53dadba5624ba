import { expect, test } from "@playwright/test";
import { projects } from "../db/schema";
import { eq } from "drizzle-orm";
import { addAnnotator, createProject, e2eDb, importCompletions, openLabeling, shownTaskId, unique } from "./label-helpers";

/** The rest of the keyboard: the ? overlay, the guidelines drawer, skip with a reason, flag with one key. */

test("help, guidelines, skip and flag all work from the keyboard and land in the database", async ({ page }) => {
  const project = unique("kb-actions");
  const projectId = createProject(project, { judgementsPerTask: 1 });
  e2eDb().update(projects).set({ guidelines: "## Rules\n\n- Prefer **honest** answers" }).where(eq(projects.id, projectId)).run();
  importCompletions(project, [1, 2].map((i) => ({ prompt: `Task ${i} ${project}`, completions: [`a${i} ${project}`, `b${i} ${project}`] })));
  await openLabeling(page, addAnnotator(), project);

  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toContainText("Both bad");
  await expect(help).toContainText("Undo your last judgement");
  await page.keyboard.press("Escape");
  await expect(help).toHaveCount(0);

  await page.keyboard.press("g");
  await expect(page.getByRole("complementary", { name: "Guidelines" }).locator("li")).toHaveText("Prefer honest answers");
  await page.keyboard.press("g");
  await expect(page.getByRole("complementary", { name: "Guidelines" })).toHaveCount(0);

  const skipped = await shownTaskId(page);
  await page.keyboard.press("s");
  await page.keyboard.type("not my language");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Task skipped" })).toBeVisible();
  // The toast can show before the next task has replaced the skipped one: wait for that state.
  await expect(page.locator('[data-testid="task"][data-ready="true"]')).not.toHaveAttribute("data-task-id", String(skipped));
  const flagged = await shownTaskId(page);
  expect(flagged).not.toBe(skipped);
  await page.keyboard.press("f");
  await page.keyboard.press("2");
  await expect(page.getByRole("status").filter({ hasText: "Flagged" })).toBeVisible();
  await expect(page.getByTestId("queue-empty")).toBeVisible();

  const sql = e2eDb().$client;
  expect(sql.prepare("select status, skip_reason from assignments where task_id = ?").get(skipped)).toEqual({ status: "skipped", skip_reason: "not my language" });
  expect(sql.prepare("select reason from flags where task_id = ?").all(flagged)).toEqual([{ reason: "broken" }]);
  expect(sql.prepare("select count(*) n from judgements where task_id in (?, ?)").get(skipped, flagged)).toEqual({ n: 0 });
});
