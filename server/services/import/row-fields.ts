/**
 * What every import format's rows are made of: texts and message lists under one length limit,
 * the error a bad row throws, and the split of two conversations into their shared prompt and
 * their own continuations (TRL's conversational rows and Arena battles both need it).
 */
import { z } from "zod";
import type { ChatMessage } from "../../../db/schema";

/** A piece of text as imported: plain, or a conversation whose flattened form is `text`. */
export interface ImportText {
  text: string;
  messages?: ChatMessage[];
}

/** Longest text accepted in any field; longer ones are almost always a broken export. */
export const MAX_TEXT_CHARS = 100_000;

const tooLong = `text longer than ${MAX_TEXT_CHARS.toLocaleString("en")} characters`;
const messageSchema = z.object({ role: z.string().min(1), content: z.string() });
/** A conversation counts as one field: its messages' contents together stay under the limit,
 *  so splitting an over-long text into many messages does not get it past the check. */
export const messagesSchema = z
  .array(messageSchema)
  .min(1)
  .refine((ms) => ms.reduce((n, m) => n + m.content.length, 0) <= MAX_TEXT_CHARS, `${tooLong} (all messages together)`);
export const textSchema = z.string().max(MAX_TEXT_CHARS, tooLong);
export const textOrMessages = z.union([textSchema, messagesSchema]);

/** A row the import cannot take, with the reason reported beside its line number. */
export class RowError extends Error {}

/** Parses a row, turning the first zod issue into a RowError that names the field. */
export function parseRow<T>(schema: z.ZodType<T>, row: unknown): T {
  const result = schema.safeParse(row);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".");
  const value = issue.path.reduce<unknown>((v, key) => (v as Record<PropertyKey, unknown> | undefined)?.[key], row);
  if (value === undefined && field) throw new RowError(`missing field "${field}"`);
  throw new RowError(`${field ? `${field}: ` : ""}${issue.message}`);
}

export function flattenMessages(messages: ChatMessage[]): string {
  return messages.map((m) => `${m.role}: ${m.content}`).join("\n\n");
}

export function toText(value: string | ChatMessage[]): ImportText {
  return typeof value === "string" ? { text: value } : { text: flattenMessages(value), messages: value };
}

/**
 * Two conversations that answer the same prompt: the prompt is their shared leading messages,
 * each keeps the rest (at least its last message). Null when they share nothing.
 */
export function splitSharedPrompt(first: ChatMessage[], second: ChatMessage[]): { prompt: ImportText; first: ImportText; second: ImportText } | null {
  let shared = 0;
  while (
    shared < first.length - 1 &&
    shared < second.length - 1 &&
    first[shared]!.role === second[shared]!.role &&
    first[shared]!.content === second[shared]!.content
  )
    shared++;
  if (shared === 0) return null;
  return { prompt: toText(first.slice(0, shared)), first: toText(first.slice(shared)), second: toText(second.slice(shared)) };
}
