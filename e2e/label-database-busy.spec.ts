import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { E2E_DB } from "../playwright.config";
import { addAnnotator, createProject, e2eDb, importCompletions, openLabeling, shownTaskId, unique } from "./label-helpers";

/**
 * Story: another process (an import, a CLI command, a backup) holds the database's write lock
 * longer than the server waits for it (10 s) just as an annotator submits. The label screen says
 * what happened in words (not "internal error"), keeps the answer on screen, and Enter again, once
 * the lock is gone, saves it exactly once (the same submission key).
 */
test("a submission while another process holds the database's write lock shows 'database busy, try again' and saves once on Enter again", async ({ page }) => {
  const project = unique("db-busy");
  createProject(project, { judgementsPerTask: 1 });
  importCompletions(project, [{ prompt: `Busy database ${project}`, completions: [`one ${project}`, `two ${project}`] }]);
  await openLabeling(page, addAnnotator(), project);
  const taskId = await shownTaskId(page);
  await page.keyboard.press("a");
  await page.keyboard.press("2");

  const other = new Database(E2E_DB, { timeout: 10_000 });
  try {
    other.exec("BEGIN EXCLUSIVE");
    await page.keyboard.press("Enter");
    // The server waits out its busy timeout (10 s) before it answers.
    await expect(page.getByRole("alert").filter({ hasText: "The database is busy" })).toHaveText(
      "The database is busy: another process holds its write lock. This request was not saved; try again in a moment.",
      { timeout: 30_000 },
    );
  } finally {
    other.exec("ROLLBACK");
    other.close();
  }
  expect(await shownTaskId(page)).toBe(taskId);
  await expect(page.getByRole("button", { name: /Left is better/ })).toHaveAttribute("aria-pressed", "true");
  expect(e2eDb().$client.prepare("select count(*) as n from judgements where task_id = ?").get(taskId)).toEqual({ n: 0 });

  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Judgement saved" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "The database is busy" })).toHaveCount(0);
  expect(e2eDb().$client.prepare("select outcome, strength from judgements where task_id = ?").all(taskId)).toEqual([{ outcome: "left", strength: 2 }]);
});
