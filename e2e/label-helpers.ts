import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { openDatabase, type Db } from "../db/client";
import { completions, projects, prompts } from "../db/schema";
import type { ProjectSettings } from "../db/types";
import { ensureProject } from "../server/services/projects";
import { createCorrectionTasks } from "../server/services/tasks";
import { E2E_DB } from "../playwright.config";
import { signIn } from "./helpers";

/** Data for the labeling specs, made the way users make it (CLI) or through our own services on the server's database. */

/** A name no other spec (or rerun on the same database) has used. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function cli(args: string[]): string {
  return execFileSync("node", ["bin/preflab.mjs", ...args], { env: { ...process.env, PREFLAB_DB: E2E_DB }, encoding: "utf8" });
}

let db: Db | null = null;
/** The server's own database file (WAL: reading and writing beside the server is safe). */
export const e2eDb = (): Db => (db ??= openDatabase(E2E_DB));

export function addAnnotator(prefix = "annotator") {
  const user = { username: unique(prefix), password: "annotator-pw-123" };
  cli(["user", "add", user.username, "--role", "annotator", "--password", user.password]);
  return user;
}

/** A project with some settings changed (before its tasks exist, since tasks copy the overlap). */
export function createProject(name: string, settings: Partial<ProjectSettings> = {}): number {
  const project = ensureProject(e2eDb(), name, null);
  // No gold by default: a spec checks what the annotator chose, not gold bookkeeping.
  e2eDb().update(projects).set({ settings: { ...project.settings, goldRate: 0, ...settings } }).where(eq(projects.id, project.id)).run();
  return project.id;
}

/** A completions-format row: a plain or conversational prompt; 2 completions make a pair task, 3..9 a rank task. */
export type CompletionsRow = { prompt: string | Array<{ role: string; content: string }>; completions: string[] };

/** Imports `{prompt, completions}` rows with the CLI. */
export function importCompletions(project: string, rows: CompletionsRow[]): void {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-label-")), "rows.jsonl");
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  cli(["import", file, "--project", project, "--format", "completions"]);
}

/** A correction task through the same service researchers' actions use. */
export function addCorrectionTask(projectId: number, prompt: string, texts: string[]): number {
  const d = e2eDb();
  const [p] = d.insert(prompts).values({ projectId, text: prompt }).returning({ id: prompts.id }).all();
  const ids = texts.map((text) => d.insert(completions).values({ promptId: p!.id, origin: "import", text }).returning({ id: completions.id }).get().id);
  return createCorrectionTasks(d, projectId, [{ promptId: p!.id, completionIds: ids }]).created[0]!;
}

/** Completion id by its (unique) text within a project. */
export function completionId(text: string): number {
  const row = e2eDb().$client.prepare("select id from completions where text = ?").get(text) as { id: number } | undefined;
  if (!row) throw new Error(`no completion with text ${JSON.stringify(text)}`);
  return row.id;
}

/** Signs in, opens /label and picks the project with the keyboard (type its name, Enter). */
export async function openLabeling(page: Page, user: { username: string; password: string }, project: string) {
  await signIn(page, user);
  await page.goto("/label");
  await page.getByLabel("Find a project").fill(project);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: project })).toBeVisible();
}

/** The id of the task on screen, once one is there. */
export async function shownTaskId(page: Page): Promise<number> {
  const task = page.locator('[data-testid="task"][data-ready="true"]');
  await expect(task).toBeVisible();
  return Number(await task.getAttribute("data-task-id"));
}

/** CDP key events of a Playwright-style key name: "a", "2", "Enter", "Space", "ArrowUp", ... */
function keyEvent(name: string): { key: string; code: string; windowsVirtualKeyCode: number; text?: string } {
  const named: Record<string, [key: string, virtualKey: number, text?: string]> = {
    Enter: ["Enter", 13, "\r"],
    Space: [" ", 32, " "],
    Backspace: ["Backspace", 8],
    Escape: ["Escape", 27],
    ArrowLeft: ["ArrowLeft", 37],
    ArrowUp: ["ArrowUp", 38],
    ArrowRight: ["ArrowRight", 39],
    ArrowDown: ["ArrowDown", 40],
  };
  const known = named[name];
  if (known) return { key: known[0], code: name, windowsVirtualKeyCode: known[1], text: known[2] };
  if (!/^[a-z0-9]$/.test(name)) throw new Error(`no key event for ${name}`);
  return { key: name, code: /\d/.test(name) ? `Digit${name}` : `Key${name.toUpperCase()}`, windowsVirtualKeyCode: name.toUpperCase().charCodeAt(0), text: name };
}

/**
 * Presses `keys` back to back on a page slowed down 6x, the way a busy CI machine runs it: all
 * CDP key events are sent at once, so nothing waits for the page between two keys.
 */
export async function pressBackToBackUnderLoad(page: Page, keys: string[]) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 6 });
  const events = keys.flatMap((k) => {
    const { text, ...key } = keyEvent(k);
    return [{ type: text ? "keyDown" : "rawKeyDown", text, ...key }, { type: "keyUp", ...key }] as const;
  });
  await Promise.all(events.map((e) => cdp.send("Input.dispatchKeyEvent", e)));
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await cdp.detach();
}
