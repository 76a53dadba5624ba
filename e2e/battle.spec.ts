import { expect, test, type Page } from "@playwright/test";
import { builtinCopy } from "../server/services/battles/battles.fixtures";
import { ADMIN, signIn } from "./helpers";
import { addAnnotator, createProject, e2eDb, unique } from "./label-helpers";

/** Waits for a turn's two answers to be complete (the vote opens then), checking the stream came as server-sent events. */
async function sendAndAwaitAnswers(page: Page, field: string, text: string) {
  const stream = page.waitForResponse((r) => r.url().endsWith("/api/battles") && r.request().method() === "POST");
  await page.getByLabel(field).fill(text);
  await page.getByLabel(field).press("Control+Enter");
  const headers = (await stream).headers();
  expect(headers["content-type"]).toMatch(/^text\/event-stream/);
  expect(headers["content-encoding"], "a gzipped stream reaches the browser only at its end").toBeUndefined();
  await expect(page.getByRole("button", { name: /A is better/ })).toBeEnabled({ timeout: 60_000 });
  for (const side of ["left", "right"]) await expect(page.getByTestId(`battle-${side}`).getByTestId("completion-text")).not.toBeEmpty();
}

async function vote(page: Page, key: string) {
  await page.keyboard.press(key);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("battle-revealed")).toBeVisible();
  return { left: await page.getByTestId("battle-name-left").innerText(), right: await page.getByTestId("battle-name-right").innerText() };
}

test("a live battle: prompt typed, two streamed answers with names hidden, vote, names revealed, a follow-up turn, both judgements in the export", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const project = unique("battle");
  const projectId = createProject(project);
  const names = [unique("alpha"), unique("beta")];
  for (const name of names) builtinCopy(e2eDb(), projectId, name); // two versions of the built-in policy: fast answers

  // The researcher turns battle mode on in the project's Policies section and picks the two policies.
  await signIn(page, ADMIN);
  await page.goto(`/projects/${project}/policies`);
  await page.getByLabel(/^Battle project/).check();
  for (const name of names) await page.getByRole("checkbox", { name: `${name}@1` }).check();
  await page.getByLabel("Answer tokens").fill("12");
  await page.getByRole("button", { name: "Save battle settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  // An annotator battles.
  const annotator = addAnnotator("battler");
  const context = await browser.newContext();
  const battler = await context.newPage();
  await signIn(battler, annotator);
  await battler.getByRole("link", { name: "Battle" }).click();
  await battler.getByRole("button", { name: project }).click();
  await sendAndAwaitAnswers(battler, "Your prompt", "The film was");
  const hidden = await battler.content();
  for (const name of names) expect(hidden).not.toContain(name);
  const first = await vote(battler, "a");
  expect(new Set([first.left, first.right])).toEqual(new Set(names.map((n) => `${n}@1`)));

  // A follow-up turn: the conversation so far (prompt, the preferred answer, the new message), answered and judged on its own.
  await sendAndAwaitAnswers(battler, "Follow-up message", "And the acting?");
  await expect(battler.getByTestId("prompt").getByTestId("prompt-text")).toHaveCount(3);
  await expect(battler.getByTestId("battle-revealed")).toHaveCount(0);
  const second = await vote(battler, "d");
  await context.close();

  // Both judgements are in the export, as conversational preference rows naming their policies.
  const exported = await page.request.get(`/api/export?projectId=${projectId}&format=trl-conversational`);
  expect(exported.status()).toBe(200);
  const rows = (await exported.text()).trim().split("\n").map((line) => JSON.parse(line));
  expect(rows).toHaveLength(2);
  expect(rows[0].prompt).toEqual([{ role: "user", content: "The film was" }]);
  expect(rows[0].provenance).toMatchObject({ chosen_policy: first.left, rejected_policy: first.right, source: "human" });
  expect(rows[1].prompt).toHaveLength(3);
  expect(rows[1].prompt[0]).toEqual({ role: "user", content: "The film was" });
  expect(rows[1].prompt[1]).toEqual({ role: "assistant", content: rows[0].chosen[0].content });
  expect(rows[1].prompt[2]).toEqual({ role: "user", content: "And the acting?" });
  expect(rows[1].provenance).toMatchObject({ chosen_policy: second.right, rejected_policy: second.left });
});
