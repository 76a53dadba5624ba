/**
 * A battle's vote: the turn becomes what every other judgement is, in one transaction: the prompt
 * (the project prompt that was picked, else a new one: the text, or the conversation with its
 * flattened text), one completion per side with its policy and sampling parameters, a finished
 * pair task (left then right, as shown) and the human judgement on it; so the leaderboard, export
 * and training read it like any other. Only then are the names revealed. Voting again on the
 * same battle answers the same reveal (a retry), and a different vote is refused.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { createPairTasks } from "../../../core/tasks";
import { inTransaction, type Db } from "../../../db/client";
import { PAIR_OUTCOMES } from "../../../db/enums";
import { battles, completions, judgements, policies, prompts, tasks, type ChatMessage } from "../../../db/schema";
import type { SamplingParams } from "../../../db/types";
import { ServiceError } from "../errors";
import { flattenMessages } from "../import/row-fields";
import { afterJudgement } from "../judgement-followups";
import { policyLabel } from "../lineage";

export const battleVoteInput = z.object({
  battleId: z.number().int().positive(),
  outcome: z.enum(PAIR_OUTCOMES),
  /** Seconds the annotator spent from the first answer shown to the vote, as the client measured them. */
  clientSeconds: z.number().min(0).max(86_400).nullish(),
});
export type BattleVoteInput = z.infer<typeof battleVoteInput>;

type Battle = typeof battles.$inferSelect;

/** A single user message is a plain prompt; a longer conversation keeps its messages. */
function addPrompt(db: Db, b: Battle): number {
  if (b.promptId !== null) return b.promptId;
  const [only] = b.messages;
  const plain = b.messages.length === 1 && only!.role === "user";
  return db.insert(prompts).values({ projectId: b.projectId, text: plain ? only!.content : flattenMessages(b.messages), messages: plain ? null : b.messages }).returning({ id: prompts.id }).get().id;
}

function addCompletion(db: Db, promptId: number, policyId: number, text: string, params: SamplingParams | null, conversational: boolean): number {
  const messages: ChatMessage[] | null = conversational ? [{ role: "assistant", content: text }] : null;
  return db.insert(completions).values({ promptId, policyId, origin: "policy", text, messages, samplingParams: params }).returning({ id: completions.id }).get().id;
}

function record(db: Db, b: Battle, input: BattleVoteInput, annotatorId: number): number {
  const promptId = addPrompt(db, b);
  const conversational = b.messages.length > 1;
  const shown = [addCompletion(db, promptId, b.leftPolicyId, b.leftText, b.leftParams, conversational), addCompletion(db, promptId, b.rightPolicyId, b.rightText, b.rightParams, conversational)];
  const [taskId] = createPairTasks(db, b.projectId, [{ promptId, completionIds: shown, requiredJudgements: 1 }]).created;
  db.update(tasks).set({ judgementCount: 1, status: "complete" }).where(eq(tasks.id, taskId!)).run();
  const serverSeconds = (Date.now() - b.createdAt.getTime()) / 1000;
  db.insert(judgements).values({
    taskId: taskId!, annotatorId, source: "human", outcome: input.outcome, displayOrder: shown, idempotencyKey: `battle-${b.id}`,
    secondsOnTask: Math.min(input.clientSeconds ?? serverSeconds, serverSeconds), serverSecondsOnTask: serverSeconds,
  }).run();
  db.update(battles).set({ taskId, votedAt: new Date() }).where(eq(battles.id, b.id)).run();
  return taskId!;
}

function reveal(db: Db, b: Battle, taskId: number) {
  const label = (id: number) => policyLabel(db.select({ name: policies.name, version: policies.version }).from(policies).where(eq(policies.id, id)).get()!);
  return { battleId: b.id, taskId, left: label(b.leftPolicyId), right: label(b.rightPolicyId) };
}

export function voteBattle(db: Db, annotatorId: number, input: BattleVoteInput) {
  const result = inTransaction(db, () => {
    const b = db.select().from(battles).where(and(eq(battles.id, input.battleId), eq(battles.annotatorId, annotatorId))).get();
    if (!b) throw new ServiceError("NOT_FOUND", `You have no battle ${input.battleId}.`);
    if (b.taskId !== null) {
      const earlier = db.select({ outcome: judgements.outcome }).from(judgements).where(and(eq(judgements.taskId, b.taskId), eq(judgements.annotatorId, annotatorId))).get();
      if (earlier?.outcome !== input.outcome) throw new ServiceError("CONFLICT", "You voted on this battle already, differently.");
      return { ...reveal(db, b, b.taskId), replayed: true };
    }
    return { ...reveal(db, b, record(db, b, input, annotatorId)), replayed: false };
  });
  if (!result.replayed) afterJudgement(db, result.taskId);
  return result;
}
