/**
 * Battle projects for tests: a project in battle mode whose policies are the built-in checkpoint
 * registered under names of the test's choosing (two versions of the same model answer fast), or
 * any other policies; and a client for one streamed turn over real HTTP.
 */
import { BUILTIN_POLICY_DIR } from "../../../core/policy-versions";
import type { Db } from "../../../db/client";
import { policies } from "../../../db/schema";
import { battleSettingsSchema, type BattleSettings } from "../../../db/types";
import { readSseData } from "../../../core/openai/sse";
import { ensureProject } from "../projects";
import { setSettings } from "../tasks-fixtures";
import type { BattleTurnInput } from "./turn";

/** A checkpoint policy of the project that is the built-in model under another name. */
export function builtinCopy(db: Db, projectId: number, name: string): number {
  return db.insert(policies).values({ name, kind: "checkpoint", path: BUILTIN_POLICY_DIR, projectId }).returning({ id: policies.id }).get().id;
}

export function battleProject(db: Db, name: string, policyIds: (projectId: number) => number[], battle: Partial<BattleSettings> = {}) {
  const project = ensureProject(db, name, null);
  const ids = policyIds(project.id);
  setSettings(db, project.id, { goldRate: 0, battle: battleSettingsSchema.parse({ enabled: true, policyIds: ids, maxNewTokens: 8, ...battle }) });
  return { projectId: project.id, policyIds: ids };
}

export type BattleEvent =
  | { type: "start"; messages: Array<{ role: string; content: string }> }
  | { type: "delta"; side: "left" | "right"; text: string }
  | { type: "done"; side: "left" | "right" }
  | { type: "ready"; battleId: number }
  | { type: "error"; message: string };

/** One turn through POST /api/battles: the status, the raw body, and its events ([DONE] kept as a string). */
export async function streamTurn(baseUrl: string, cookie: string, input: BattleTurnInput) {
  const res = await fetch(`${baseUrl}/api/battles`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(input) });
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) return { status: res.status, text: await res.text(), events: [] as BattleEvent[], done: false };
  const raw: string[] = [];
  for await (const data of readSseData(res.body!)) raw.push(data);
  const done = raw.at(-1) === "[DONE]";
  return { status: res.status, text: raw.join("\n"), events: raw.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d) as BattleEvent), done };
}

/** Each side's answer as the deltas spell it. */
export const sideText = (events: BattleEvent[], side: "left" | "right") =>
  events.flatMap((e) => (e.type === "delta" && e.side === side ? [e.text] : [])).join("");
