import { expect, type Page } from "@playwright/test";

export const ADMIN = { username: "e2e-admin", password: "e2e-admin-pw" };

export async function signIn(page: Page, user: { username: string; password: string }) {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}
