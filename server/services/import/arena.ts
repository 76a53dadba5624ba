/**
 * Chatbot Arena battles (the public lmsys conversation dumps): two anonymous models answer one
 * user, the user votes. A battle becomes a finished pair task: model_a's answer shown left, the
 * vote as the judgement's outcome, "tie (bothbad)" as both-bad (not a tie: both answers lost).
 *
 * Multi-turn battles: the prompt is the messages both conversations share (the user's first turn,
 * and more when the models' earlier answers happen to agree); each model's completion is the rest
 * of its own conversation, which the judge read as a whole before voting.
 */
import { z } from "zod";
import type { PairOutcome } from "../../../db/enums";
import type { ChatMessage } from "../../../db/schema";
import type { ImportRecord } from "./records";
import { messagesSchema, parseRow, RowError, splitSharedPrompt } from "./row-fields";

/** Arena's vote, in preflab's outcomes relative to the display order (model_a left). */
const WINNERS = { model_a: "left", model_b: "right", tie: "tie", "tie (bothbad)": "both_bad" } as const satisfies Record<string, PairOutcome>;
type Winner = keyof typeof WINNERS;
const winnerNames = Object.keys(WINNERS) as [Winner, ...Winner[]];

const modelName = z.string().trim().min(1, "empty model name").max(200, "model name longer than 200 characters");

const arenaRow = z.object({
  model_a: modelName,
  model_b: modelName,
  winner: z.enum(winnerNames, { error: `must be one of ${winnerNames.map((w) => JSON.stringify(w)).join(", ")}` }),
  conversation_a: messagesSchema,
  conversation_b: messagesSchema,
  /** Arena's (already pseudonymous) voter id; stored only as a hash (see arena-identities.ts). */
  judge: z.string().min(1).max(500).nullish(),
  /** Unix seconds of the vote; becomes the judgement's time. */
  tstamp: z.number().finite().positive().nullish(),
});

/** A row is an Arena battle when it names the two models and the vote or the conversations. */
export function isArenaRow(row: Record<string, unknown>): boolean {
  return "model_a" in row && "model_b" in row && ("winner" in row || "conversation_a" in row);
}

function lastIsAnswer(side: "conversation_a" | "conversation_b", messages: ChatMessage[]): void {
  if (messages.at(-1)!.role !== "assistant") throw new RowError(`${side}: the last message is not the model's answer (role "assistant")`);
}

export function normalizeArenaRow(row: unknown): ImportRecord {
  const r = parseRow(arenaRow, row);
  if (r.model_a === r.model_b) throw new RowError(`model_a and model_b are the same model ("${r.model_a}")`);
  lastIsAnswer("conversation_a", r.conversation_a);
  lastIsAnswer("conversation_b", r.conversation_b);
  const split = splitSharedPrompt(r.conversation_a, r.conversation_b);
  if (!split) throw new RowError("conversation_a and conversation_b do not start with the same user turn");
  return {
    kind: "battle",
    prompt: split.prompt,
    sides: [
      { model: r.model_a, completion: split.first },
      { model: r.model_b, completion: split.second },
    ],
    outcome: WINNERS[r.winner],
    judge: r.judge ?? null,
    at: r.tstamp ? new Date(r.tstamp * 1000) : null,
  };
}
