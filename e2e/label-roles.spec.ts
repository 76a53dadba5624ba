import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";
import { addAnnotator } from "./label-helpers";

/** Story (c): an annotator can neither open a researcher page nor call a researcher procedure. */

test("an annotator sees the refusal on /dashboard and gets 403 from projects.list", async ({ page }) => {
  await signIn(page, addAnnotator("nosy"));
  await page.goto("/dashboard");
  await expect(page.getByRole("alert").filter({ hasText: "This page is for" })).toHaveText("This page is for researcher or admin accounts; you are signed in as annotator.");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toHaveCount(0);

  const response = await page.evaluate(async () => {
    const r = await fetch("/api/trpc/projects.list");
    return { status: r.status, body: await r.text() };
  });
  expect(response.status).toBe(403);
  expect(response.body).toContain("FORBIDDEN");
  expect(response.body).not.toContain('"name"');
});
