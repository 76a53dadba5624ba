import { z } from "zod";
import type { ImportFormat } from "../../../db/enums";
import type { ChatMessage } from "../../../db/schema";
import { splitHhTranscripts } from "./hh";

/** A piece of text as imported: plain, or a conversation whose flattened form is `text`. */
export interface ImportText {
  text: string;
  messages?: ChatMessage[];
}

/** What one valid line of any import format becomes. */
export type ImportRecord =
  | { kind: "prompt"; prompt: ImportText }
  | { kind: "completions"; prompt: ImportText; completions: ImportText[] }
  | { kind: "preference"; prompt: ImportText; chosen: ImportText; rejected: ImportText };

/** Longest text accepted in any field; longer ones are almost always a broken export. */
export const MAX_TEXT_CHARS = 100_000;

const messageSchema = z.object({ role: z.string().min(1), content: z.string() });
const messagesSchema = z.array(messageSchema).min(1);
const textSchema = z.string().max(MAX_TEXT_CHARS, `text longer than ${MAX_TEXT_CHARS.toLocaleString("en")} characters`);
const textOrMessages = z.union([textSchema, messagesSchema]);

const promptRow = z.object({ prompt: textOrMessages.optional(), text: textSchema.optional() }).refine(
  (r) => r.prompt !== undefined || r.text !== undefined,
  { message: 'missing field "prompt"' },
);
const completionsRow = z.object({
  prompt: textOrMessages,
  completions: z.array(textSchema).min(1, "needs at least one completion").max(9, "at most 9 completions"),
});
const trlRow = z.object({ prompt: textOrMessages.optional(), chosen: textOrMessages, rejected: textOrMessages });
const hhRow = z.object({ chosen: textSchema, rejected: textSchema });

export function flattenMessages(messages: ChatMessage[]): string {
  return messages.map((m) => `${m.role}: ${m.content}`).join("\n\n");
}

function toText(value: string | ChatMessage[]): ImportText {
  return typeof value === "string" ? { text: value } : { text: flattenMessages(value), messages: value };
}

/** TRL conversational rows may leave the prompt implicit: the shared leading messages. */
function splitImplicitPrompt(chosen: ChatMessage[], rejected: ChatMessage[]): ImportRecord {
  let shared = 0;
  while (
    shared < chosen.length - 1 &&
    shared < rejected.length - 1 &&
    chosen[shared]!.role === rejected[shared]!.role &&
    chosen[shared]!.content === rejected[shared]!.content
  )
    shared++;
  if (shared === 0) throw new RowError('no "prompt" field and chosen/rejected share no leading messages');
  return {
    kind: "preference",
    prompt: toText(chosen.slice(0, shared)),
    chosen: toText(chosen.slice(shared)),
    rejected: toText(rejected.slice(shared)),
  };
}

export class RowError extends Error {}

type Normalizer = (row: unknown) => ImportRecord;

const normalizers: Record<ImportFormat, Normalizer> = {
  prompts: (row) => {
    const r = parseRow(promptRow, row);
    return { kind: "prompt", prompt: toText(r.prompt ?? r.text!) };
  },
  completions: (row) => {
    const r = parseRow(completionsRow, row);
    return { kind: "completions", prompt: toText(r.prompt), completions: r.completions.map((c) => ({ text: c })) };
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
};

function parseRow<T>(schema: z.ZodType<T>, row: unknown): T {
  const result = schema.safeParse(row);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".");
  const value = issue.path.reduce<unknown>((v, key) => (v as Record<PropertyKey, unknown> | undefined)?.[key], row);
  if (value === undefined && field) throw new RowError(`missing field "${field}"`);
  throw new RowError(`${field ? `${field}: ` : ""}${issue.message}`);
}

export function normalizeRow(format: ImportFormat, row: unknown): ImportRecord {
  if (typeof row !== "object" || row === null || Array.isArray(row)) throw new RowError("expected a JSON object");
  return normalizers[format](row);
}

/** Guesses the format from the first record's fields. */
export function detectFormat(row: unknown): ImportFormat | null {
  if (typeof row !== "object" || row === null) return null;
  const r = row as Record<string, unknown>;
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
  }
}
