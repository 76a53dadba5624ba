import { expect, type Page } from "@playwright/test";

export const ADMIN = { username: "e2e-admin", password: "e2e-admin-pw" };

export async function signIn(page: Page, user: { username: string; password: string }) {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/**
 * TRL rows with a planted preference: the preferred continuation says "great", the other never
 * does. `prompt(i)` names each row's prompt.
 */
export function plantedJsonl(prompts: number, prompt: (i: number) => string, lead = ""): string {
  const words = ["the", "movie", "was", "film", "not", "good", "a", "cast", "and", "weak", "plot"];
  const pick = (i: number, k: number) => words[(i * 7 + k * 3) % words.length];
  return Array.from({ length: prompts }, (_, i) =>
    JSON.stringify({ prompt: prompt(i), chosen: ` ${lead}${pick(i, 0)} great ${pick(i, 1)}`, rejected: ` ${lead}${pick(i, 2)} ${pick(i, 3)} ${pick(i, 4)}` }),
  ).join("\n");
}
