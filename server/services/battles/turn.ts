/**
 * What a battle's two policies answer: the annotator's own prompt, a prompt of the project they
 * picked, or a follow-up to a turn they voted on. A follow-up continues the shared conversation
 * from the answer the vote preferred (the left one after a tie or both bad) and adds the new
 * message; each turn is a battle of its own, with two policies drawn afresh and hidden again.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../../db/client";
import { battles, judgements, prompts, type ChatMessage } from "../../../db/schema";
import { MAX_TEXT_CHARS } from "../import/row-fields";
import { ServiceError } from "../errors";

const id = z.number().int().positive();
const message = z.string().trim().min(1, "Write a message first").max(MAX_TEXT_CHARS, `A message holds at most ${MAX_TEXT_CHARS.toLocaleString("en")} characters`);

export const battleTurnInput = z.object({
  projectId: id,
  turn: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("written"), text: message }),
    z.object({ kind: z.literal("picked"), promptId: id }),
    z.object({ kind: z.literal("followUp"), battleId: id, text: message }),
  ]),
});
export type BattleTurnInput = z.infer<typeof battleTurnInput>;

export interface Conversation {
  /** What both policies answer: ends with the user's message. */
  messages: ChatMessage[];
  /** The project prompt picked for this turn (its row is reused at the vote). */
  promptId: number | null;
  previousBattleId: number | null;
}

function picked(db: Db, projectId: number, promptId: number): Conversation {
  const prompt = db.select().from(prompts).where(and(eq(prompts.id, promptId), eq(prompts.projectId, projectId))).get();
  if (!prompt) throw new ServiceError("NOT_FOUND", `Prompt ${promptId} is not a prompt of this project.`);
  return { messages: prompt.messages ?? [{ role: "user", content: prompt.text }], promptId, previousBattleId: null };
}

function followUp(db: Db, annotatorId: number, projectId: number, battleId: number, text: string): Conversation {
  const battle = db.select().from(battles).where(and(eq(battles.id, battleId), eq(battles.annotatorId, annotatorId), eq(battles.projectId, projectId))).get();
  if (!battle) throw new ServiceError("NOT_FOUND", `You have no battle ${battleId} in this project.`);
  const vote = battle.taskId === null ? undefined
    : db.select({ outcome: judgements.outcome }).from(judgements).where(and(eq(judgements.taskId, battle.taskId), eq(judgements.annotatorId, annotatorId))).get();
  if (!vote) throw new ServiceError("PRECONDITION_FAILED", "Vote on this turn before following it up.");
  const preferred = vote.outcome === "right" ? battle.rightText : battle.leftText;
  return { messages: [...battle.messages, { role: "assistant", content: preferred }, { role: "user", content: text }], promptId: null, previousBattleId: battle.id };
}

export function conversationFor(db: Db, annotatorId: number, input: BattleTurnInput): Conversation {
  const turn = input.turn;
  if (turn.kind === "picked") return picked(db, input.projectId, turn.promptId);
  if (turn.kind === "followUp") return followUp(db, annotatorId, input.projectId, turn.battleId, turn.text);
  return { messages: [{ role: "user", content: turn.text }], promptId: null, previousBattleId: null };
}
