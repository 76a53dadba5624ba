import { z } from "zod";
import type { ImportFormat, PairOutcome, TaskKind } from "../../../db/enums";
import type { ChatMessage, GoldAnswer } from "../../../db/schema";
import { ServiceError } from "../errors";
import { checkGoldAnswer } from "../tasks-gold";
import { splitHhTranscripts } from "../../../db/hh-transcripts";
import { isArenaRow, normalizeArenaRow } from "./arena";
import { parseRow, RowError, splitSharedPrompt, textOrMessages, textSchema, toText, type ImportText } from "./row-fields";

export { RowError, type ImportText } from "./row-fields";

/** One side of an Arena battle: the model (an imported policy of the project) and its answer. */
export interface BattleSide {
  model: string;
  completion: ImportText;
}

/** What one valid line of any import format becomes. */
export type ImportRecord =
  | { kind: "prompt"; prompt: ImportText }
  | { kind: "completions"; prompt: ImportText; completions: ImportText[]; taskKind: TaskKind | null; gold: GoldAnswer | null }
  | { kind: "preference"; prompt: ImportText; chosen: ImportText; rejected: ImportText }
  /** Side 0 is shown left (model_a), so the outcome reads as Arena's winner does. */
  | { kind: "battle"; prompt: ImportText; sides: [BattleSide, BattleSide]; outcome: PairOutcome; judge: string | null; at: Date | null };

const promptRow = z.object({ prompt: textOrMessages.optional(), text: textSchema.optional() }).refine(
  (r) => r.prompt !== undefined || r.text !== undefined,
  { message: 'missing field "prompt"' },
);
const completionsRow = z.object({
  prompt: textOrMessages,
  completions: z.array(textSchema).min(1, "needs at least one completion").max(9, "at most 9 completions"),
  /** Task to make: pair (2 completions) and rank (3..9) by default; correction on request. */
  task: z.enum(["pair", "rank", "correction"]).optional(),
  /** A gold task's known answer, as indexes into `completions`. */
  gold: z.union([z.object({ winner: z.number().int().min(0) }), z.object({ ranking: z.array(z.array(z.number().int().min(0)).min(1)).min(1) })]).optional(),
});

/** The task kind a completions row asks for, and its gold answer checked against that kind. */
function completionsTask(r: z.infer<typeof completionsRow>): { taskKind: TaskKind | null; gold: GoldAnswer | null } {
  const n = r.completions.length;
  const taskKind = r.task ?? (n === 2 ? "pair" : n >= 3 ? "rank" : null);
  if (taskKind === "pair" && n !== 2) throw new RowError(`a pair task needs exactly 2 completions, got ${n}`);
  if (taskKind === "correction" && n < 2) throw new RowError("a correction task needs at least 2 completions");
  if (taskKind === "rank" && n < 3) throw new RowError(`a rank task needs 3 to 9 completions, got ${n}`);
  if (!r.gold) return { taskKind, gold: null };
  if (!taskKind) throw new RowError("gold needs a task (at least 2 completions)");
  try {
    checkGoldAnswer(taskKind, r.completions.map((_, i) => i), r.gold);
  } catch (e) {
    if (e instanceof ServiceError) throw new RowError(`gold: ${e.message} (use indexes into "completions")`);
    throw e;
  }
  return { taskKind, gold: r.gold };
}
const trlRow = z.object({ prompt: textOrMessages.optional(), chosen: textOrMessages, rejected: textOrMessages });
const hhRow = z.object({ chosen: textSchema, rejected: textSchema });

/** TRL conversational rows may leave the prompt implicit: the shared leading messages. */
function splitImplicitPrompt(chosen: ChatMessage[], rejected: ChatMessage[]): ImportRecord {
  const split = splitSharedPrompt(chosen, rejected);
  if (!split) throw new RowError('no "prompt" field and chosen/rejected share no leading messages');
  return { kind: "preference", prompt: split.prompt, chosen: split.first, rejected: split.second };
}

type Normalizer = (row: unknown) => ImportRecord;

const normalizers: Record<ImportFormat, Normalizer> = {
  prompts: (row) => {
    const r = parseRow(promptRow, row);
    return { kind: "prompt", prompt: toText(r.prompt ?? r.text!) };
  },
  completions: (row) => {
    const r = parseRow(completionsRow, row);
    return { kind: "completions", prompt: toText(r.prompt), completions: r.completions.map((c) => ({ text: c })), ...completionsTask(r) };
  },
  trl: (row) => {
    const r = parseRow(trlRow, row);
    if (r.prompt === undefined) {
      if (typeof r.chosen === "string" || typeof r.rejected === "string")
        throw new RowError('missing field "prompt" (only conversational rows may leave it implicit)');
      return splitImplicitPrompt(r.chosen, r.rejected);
    }
    return { kind: "preference", prompt: toText(r.prompt), chosen: toText(r.chosen), rejected: toText(r.rejected) };
  },
  hh: (row) => {
    const r = parseRow(hhRow, row);
    const split = splitHhTranscripts(r.chosen, r.rejected);
    if (!split) throw new RowError('chosen and rejected share no prefix ending in "\\n\\nAssistant:"');
    return { kind: "preference", prompt: { text: split.prompt }, chosen: { text: split.chosen }, rejected: { text: split.rejected } };
  },
  arena: normalizeArenaRow,
};

export function normalizeRow(format: ImportFormat, row: unknown): ImportRecord {
  if (typeof row !== "object" || row === null || Array.isArray(row)) throw new RowError("expected a JSON object");
  return normalizers[format](row);
}

/** Guesses the format from the first record's fields. */
export function detectFormat(row: unknown): ImportFormat | null {
  if (typeof row !== "object" || row === null) return null;
  const r = row as Record<string, unknown>;
  if (isArenaRow(r)) return "arena";
  if ("chosen" in r && "rejected" in r) {
    const hhLike = typeof r.chosen === "string" && !("prompt" in r) && r.chosen.includes("\n\nAssistant:");
    return hhLike ? "hh" : "trl";
  }
  if ("completions" in r) return "completions";
  if ("prompt" in r || "text" in r) return "prompts";
  return null;
}

/** A stable identity for duplicate detection within one file. */
export function recordKey(record: ImportRecord): string {
  switch (record.kind) {
    case "prompt":
      return JSON.stringify([record.prompt.text]);
    case "completions":
      return JSON.stringify([record.prompt.text, ...record.completions.map((c) => c.text)]);
    case "preference":
      return JSON.stringify([record.prompt.text, record.chosen.text, record.rejected.text]);
    case "battle":
      return JSON.stringify([record.judge, record.at?.getTime() ?? null, record.prompt.text, ...record.sides.flatMap((s) => [s.model, s.completion.text])]);
  }
}
