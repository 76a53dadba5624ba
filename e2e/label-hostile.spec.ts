import { expect, test } from "@playwright/test";
import { addAnnotator, createProject, importCompletions, openLabeling, unique } from "./label-helpers";

/** Story (d): hostile completions render as text; no script of theirs runs; Markdown still works. */

declare global {
  interface Window {
    __pwned?: number;
  }
}

test("a completion with <script> and <img onerror> renders as visible text and runs nothing", async ({ page }) => {
  const project = unique("hostile");
  createProject(project, { judgementsPerTask: 1 });
  const script = "<script>window.__pwned = 1</script>";
  const img = '<img src=x onerror="window.__pwned = 2">';
  const markdown = "Steps:\n\n- first\n- second\n\n```js\nconst answer = 42;\n```";
  importCompletions(project, [{ prompt: `Hostile ${project}`, completions: [`${script}\n\n${img}\n\n[click](javascript:window.__pwned=3)`, markdown] }]);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await openLabeling(page, addAnnotator(), project);

  const task = page.getByTestId("task");
  await expect(task.getByText(script)).toBeVisible();
  await expect(task.getByText(img)).toBeVisible();
  await expect(task.locator("script, img")).toHaveCount(0);
  await expect(task.locator("li")).toHaveText(["first", "second"]);
  await expect(task.locator("pre code")).toHaveText("const answer = 42;");
  expect(await task.getByRole("link", { name: "click" }).getAttribute("href")).not.toMatch(/javascript/i);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  expect(errors).toEqual([]);
});
