import { expect, test, type Locator, type Page } from "@playwright/test";
import { addAnnotator, addCorrectionTask, completionId, createProject, e2eDb, importCompletions, openLabeling, shownTaskId, unique } from "./label-helpers";

/**
 * Story (d): hostile prompts and completions (markup with scripts and event handlers,
 * `javascript:` links, a 10,000-character unbroken string, a right-to-left override, zero-width
 * characters) render inert and readable in pair, rank and correction tasks: nothing runs,
 * nothing navigates, nothing overflows the page, nothing is displayed out of order, and two
 * completions that differ only by invisible characters can be told apart.
 */

declare global {
  interface Window {
    __pwned?: number;
  }
}

const RLO = "\u202E";
const ZERO_WIDTH = { "U+200B": "\u200B", "U+200C": "\u200C", "U+200D": "\u200D", "U+2060": "\u2060", "U+FEFF": "\uFEFF" };
const LONG = "W".repeat(10_000);

/** Each would run `window.__pwned = n` (or alert) if any of it became live markup or a live link. */
const MARKUP = [
  "<script>window.__pwned = 1; alert(1)</script>",
  '<img src=x onerror="window.__pwned = 2; alert(2)">',
  '<svg onload="window.__pwned = 3">',
  '<details open ontoggle="window.__pwned = 4">',
  "<iframe srcdoc=\"<script>parent.__pwned = 5</script>\"></iframe>",
  '<a href="javascript:window.__pwned = 6">raw link</a>',
];
const LINKS = ["[md link](javascript:window.__pwned=7)", "[entity link](&#x6A;avascript:window.__pwned=8)", "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<javascript:window.__pwned=9>"];
const LINK_TEXTS = ["md link", "entity link", "data link", "javascript:window.__pwned=9"];
const MARKDOWN = "Steps:\n\n- first\n- second\n\n```js\nconst answer = 42;\n```\n\n![chart](javascript:window.__pwned=10) [docs](https://example.com/docs)";

/** The texts of one hostile task, unique to `tag` (completion ids are looked up by text). */
function hostile(tag: string) {
  const twin = `Pay the invoice to account 4021 ${tag}`;
  const zw = Object.values(ZERO_WIDTH);
  return {
    prompt: `Judge these ${tag} <script>window.__pwned = 11</script> <img src=x onerror="window.__pwned = 12"> ${RLO}legible prompt words ${zw.join("")} ${LONG}`,
    markup: [...MARKUP, ...LINKS, MARKDOWN, LONG, `Total ${RLO}readable words after an override ${tag}`].join("\n\n"),
    twin,
    twinWithInvisibles: `Pay the${zw[0]} invoice${zw[1]} to${zw[2]} account${zw[3]} 4021${zw[4]} ${tag}`,
  };
}

/** Everything that would show a script ran or the page went elsewhere, watched from the first page load. */
function watch(page: Page) {
  const seen = { dialogs: [] as string[], errors: [] as string[], popups: 0 };
  page.on("dialog", (d) => (seen.dialogs.push(d.message()), void d.dismiss()));
  page.on("pageerror", (e) => seen.errors.push(e.message));
  page.context().on("page", () => (seen.popups += 1));
  return seen;
}

async function expectNothingRan(page: Page, seen: ReturnType<typeof watch>, url: string) {
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  expect(seen).toEqual({ dialogs: [], errors: [], popups: 0 });
  expect(page.url()).toBe(url);
}

/** Markup is text, no element that can run code exists, and every remaining link is a web link. */
async function expectInert(task: Locator) {
  for (const snippet of MARKUP) await expect(task.getByText(snippet).first()).toBeVisible();
  await expect(task.locator("script, img, svg, iframe, details, object, embed, video, audio")).toHaveCount(0);
  await expect(task.locator("[onerror], [onload], [ontoggle], [onclick], [onmouseover]")).toHaveCount(0);
  const hrefs = await task.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  for (const href of hrefs) expect(href).toMatch(/^https:\/\/example\.com\//);
  for (const text of LINK_TEXTS) {
    await expect(task.getByRole("link", { name: text })).toHaveCount(0);
    await task.getByText(text, { exact: true }).first().click(); // nothing happens: checked by expectNothingRan
  }
}

/** No horizontal scrolling anywhere: the page, and each text block (the long string wraps inside its card). */
async function expectNoOverflow(page: Page, blocks: Locator) {
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await expect.poll(overflow).toBe(0);
  for (const el of await blocks.all()) expect(await el.evaluate((e) => e.scrollWidth - e.clientWidth)).toBe(0);
}

/** Where each letter of `word` (its first occurrence in a text node under `scope`) is drawn: left edges. One word, so it is on one line. */
function letterPositions(scope: Locator, word: string): Promise<number[] | null> {
  return scope.evaluate((root, word) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(word);
      if (at < 0) continue;
      const range = document.createRange();
      return [...word].map((_, i) => (range.setStart(node!, at + i), range.setEnd(node!, at + i + 1), range.getBoundingClientRect().left));
    }
    return null;
  }, word);
}

/** The word after a right-to-left override is drawn left to right, and the override is shown as a marker. */
async function expectOverrideShownNotApplied(scope: Locator, word: string) {
  const lefts = await letterPositions(scope, word);
  expect(lefts, `"${word}" is in the text`).not.toBeNull();
  expect(lefts).toEqual([...lefts!].sort((a, b) => a - b));
  expect(new Set(lefts).size).toBe(lefts!.length);
  const marker = scope.locator('[data-invisible="U+202E"]').first();
  await expect(marker).toBeVisible();
  await expect(marker).toHaveAttribute("title", /RIGHT-TO-LEFT OVERRIDE/);
}

/** Every zero-width character has its own visible marker. */
async function expectZeroWidthMarked(scope: Locator) {
  for (const code of Object.keys(ZERO_WIDTH)) {
    await expect(scope.locator(`[data-invisible="${code}"]`)).toBeVisible();
    await expect(scope.locator(`[data-invisible="${code}"]`)).toHaveAttribute("title", new RegExp(code.replace("+", "\\+")));
  }
}

/** The checks every kind shares, at a desktop width and at a phone's. */
async function expectSafeAndReadable(page: Page, texts: Locator) {
  const task = page.getByTestId("task");
  await expectInert(task);
  await expectOverrideShownNotApplied(page.getByTestId("prompt"), "legible");
  await expectZeroWidthMarked(page.getByTestId("prompt"));
  await expectOverrideShownNotApplied(texts.filter({ hasText: "readable words after" }), "readable");
  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 800 });
    await expectNoOverflow(page, page.getByTestId("prompt").or(texts));
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("pair: hostile markup, links, a long string, an override and zero-width characters render inert and readable", async ({ page }) => {
  const project = unique("hostile-pair");
  createProject(project, { judgementsPerTask: 1 });
  const t = hostile(project);
  importCompletions(project, [{ prompt: [{ role: "user", content: t.prompt }], completions: [t.markup, t.twinWithInvisibles] }]);
  const seen = watch(page);
  await openLabeling(page, addAnnotator(), project);
  const taskId = await shownTaskId(page);
  const url = page.url();
  const texts = page.getByTestId("completion-text");

  await expectSafeAndReadable(page, texts);
  // The role label is not reordered by the override in the turn beside it.
  await expect(page.getByTestId("prompt").getByText("user:")).toBeVisible();
  await expectZeroWidthMarked(texts.filter({ hasText: "Pay the" }));
  // Markdown still works around the hostile parts.
  await expect(page.getByTestId("task").locator("li")).toHaveText(["first", "second"]);
  await expect(page.getByTestId("task").locator("pre code")).toHaveText("const answer = 42;");
  await expect(page.getByTestId("task").getByText("[image: chart]")).toBeVisible();

  await page.keyboard.press("d");
  await page.keyboard.press("2");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  expect(e2eDb().$client.prepare("select outcome, strength from judgements where task_id = ?").all(taskId)).toEqual([{ outcome: "right", strength: 2 }]);
  await expectNothingRan(page, seen, url);
});

test("rank: the same, and two completions that differ only by invisible characters can be told apart", async ({ page }) => {
  const project = unique("hostile-rank");
  createProject(project, { judgementsPerTask: 1 });
  const t = hostile(project);
  importCompletions(project, [{ prompt: t.prompt, completions: [t.markup, t.twin, t.twinWithInvisibles] }]);
  const seen = watch(page);
  await openLabeling(page, addAnnotator(), project);
  const url = page.url();
  const texts = page.getByTestId("rank-card").getByTestId("completion-text");

  await expectSafeAndReadable(page, texts);
  const twins = texts.filter({ hasText: "Pay the" });
  await expect(twins).toHaveCount(2);
  const [a, b] = await twins.allInnerTexts();
  expect(a).not.toBe(b);
  const marked = twins.filter({ has: page.locator("[data-invisible]") });
  await expect(marked).toHaveCount(1);
  await expectZeroWidthMarked(marked);
  await expectNothingRan(page, seen, url);
});

test("correction: the editor keeps the text, names its invisible characters and can remove them; the diff shows markers in order", async ({ page }) => {
  const project = unique("hostile-corr");
  const projectId = createProject(project, { judgementsPerTask: 1 });
  const t = hostile(project);
  const taskId = addCorrectionTask(projectId, t.prompt, [t.markup, t.twinWithInvisibles]);
  const seen = watch(page);
  await openLabeling(page, addAnnotator(), project);
  expect(await shownTaskId(page)).toBe(taskId);
  const url = page.url();
  const texts = page.getByTestId("completion-text");
  await expectSafeAndReadable(page, texts);

  const cards = [page.getByTestId("completion-1"), page.getByTestId("completion-2")];
  const twinKey = String((await cards[0]!.getByText("Pay the").count()) > 0 ? 1 : 2);
  const markupKey = twinKey === "1" ? "2" : "1";
  const editor = page.getByLabel(/Corrected text/);
  const notice = page.getByTestId("invisible-notice");
  const diff = page.getByTestId("correction-diff");

  // The zero-width twin: the editor holds it exactly; the notice and the diff mark each character.
  await page.keyboard.press(twinKey);
  await expect(editor).toHaveValue(t.twinWithInvisibles);
  await expectZeroWidthMarked(notice);
  await expectZeroWidthMarked(diff);

  // The hostile one: edited, the override shown (not applied) in the diff, then removed with one click.
  await page.keyboard.press(markupKey);
  await expect(editor).toHaveValue(t.markup);
  await expect(notice.locator("[data-invisible]")).toHaveCount(1);
  await expectOverrideShownNotApplied(diff, "readable");
  await page.keyboard.press("e");
  await page.keyboard.press("Control+End");
  await page.keyboard.type(" Fixed.");
  await page.keyboard.press("Escape");
  await expect(diff.locator("ins")).toHaveText(/Fixed\./);
  await expectOverrideShownNotApplied(diff, "readable");
  await expectNoOverflow(page, diff.or(editor));
  await notice.getByRole("button", { name: "Remove them" }).click();
  await expect(notice).toHaveCount(0);
  await expect(diff.locator("del [data-invisible='U+202E']")).toBeVisible();
  await expect(page.getByTestId("task").locator("script, img, svg, iframe, details")).toHaveCount(0);

  await page.getByTestId("task").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("queue-empty")).toBeVisible();
  const row = e2eDb().$client.prepare("select chosen_completion_id, corrected_completion_id from judgements where task_id = ?").get(taskId) as { chosen_completion_id: number; corrected_completion_id: number };
  expect(row.chosen_completion_id).toBe(completionId(t.markup));
  const corrected = e2eDb().$client.prepare("select text from completions where id = ?").get(row.corrected_completion_id) as { text: string };
  expect(corrected.text).toBe(`${t.markup.replace(RLO, "")} Fixed.`);
  await expectNothingRan(page, seen, url);
});
