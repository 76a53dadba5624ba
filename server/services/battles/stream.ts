/**
 * A battle turn, streamed: two policies drawn by the project's rule answer the conversation at
 * once, and the browser gets server-sent events tagged by side, never by policy:
 *
 *     data: {"type":"start","messages":[...]}          the conversation both answer
 *     data: {"type":"delta","side":"left","text":"…"}  a piece of one side's answer
 *     data: {"type":"done","side":"right"}             that side finished
 *     data: {"type":"ready","battleId":12}             both finished: the turn awaits its vote
 *     data: [DONE]
 *
 * Only when both answers are complete is the turn written (battles row, policies kept on the
 * server). If a side fails, the other is stopped, an event {"type":"error","message":…} says
 * which side failed and why in words that name no policy, and nothing is written: the battle is
 * void. The server log gets the policy and the full cause. A client that leaves voids it too.
 */
import { EndpointError } from "../../../core/openai/client";
import { policyWithId } from "../../../core/openai/endpoint-target";
import { SSE_DONE, SSE_HEADERS, sseEvent } from "../../../core/openai/sse";
import type { Db } from "../../../db/client";
import { databaseFault } from "../../../db/errors";
import { battles, type policies } from "../../../db/schema";
import type { BattleSettings } from "../../../db/types";
import { requireProject } from "../assignment";
import type { SessionUser } from "../auth";
import { ServiceError } from "../errors";
import { closeQuietly } from "../openai/serve";
import { answerWithPolicy, type BattleAnswer } from "./answer";
import { drawPair } from "./draw";
import { battlePolicies, gamesByPair } from "./policies";
import { conversationFor, type BattleTurnInput, type Conversation } from "./turn";

type PolicyRow = typeof policies.$inferSelect;
type Side = "left" | "right";

class SideFailure extends Error {
  constructor(readonly side: Side, readonly policy: PolicyRow, readonly error: unknown) {
    super(`${side} side failed`);
  }
}

/** The cause as an annotator may read it: what went wrong, never which model. */
function causeForAnnotator(error: unknown): string {
  if (!(error instanceof EndpointError)) return "the model failed while generating";
  if (error.failure === "timeout") return `the model's server ${error.reason}`;
  if (error.failure === "http") return `the model's server answered HTTP ${/^HTTP (\d+)/.exec(error.reason)?.[1] ?? "error"}`;
  if (error.failure === "unreachable") return "the model's server could not be reached";
  if (error.failure === "reported") return "the model's server reported an error mid-answer";
  return "the model's server sent a malformed answer";
}

export function voidMessage(failure: SideFailure): string {
  return `The ${failure.side} answer failed: ${causeForAnnotator(failure.error)}. This battle is void: nothing was recorded. Try again, or write another prompt.`;
}

interface Drawn {
  project: { id: number; settings: { battle: BattleSettings } };
  conversation: Conversation;
  sides: Record<Side, PolicyRow>;
}

/** Everything that can refuse the turn (a 4xx before any streaming): the project, the conversation, two policies. */
function drawTurn(db: Db, user: SessionUser, input: BattleTurnInput): Drawn {
  const project = requireProject(db, input.projectId);
  if (!project.settings.battle.enabled) throw new ServiceError("PRECONDITION_FAILED", `"${project.name}" is not a battle project.`);
  const conversation = conversationFor(db, user.id, input);
  const pool = battlePolicies(db, project.id, project.settings.battle);
  const [left, right] = drawPair(pool.map((p) => p.id), gamesByPair(db, project.id), project.settings.battle.sampling, Math.random);
  const byId = (id: number) => pool.find((p) => p.id === id)!;
  return { project, conversation, sides: { left: byId(left), right: byId(right) } };
}

function recordTurn(db: Db, user: SessionUser, d: Drawn, answers: Record<Side, BattleAnswer>): number {
  return db.insert(battles).values({
    projectId: d.project.id, annotatorId: user.id, promptId: d.conversation.promptId, previousBattleId: d.conversation.previousBattleId, messages: d.conversation.messages,
    leftPolicyId: d.sides.left.id, rightPolicyId: d.sides.right.id, leftText: answers.left.text, rightText: answers.right.text, leftParams: answers.left.params, rightParams: answers.right.params,
  }).returning({ id: battles.id }).get().id;
}

/** Validates and draws the turn now (a ServiceError is the caller's 4xx), then streams it. */
export function battleStream(db: Db, user: SessionUser, input: BattleTurnInput, signal: AbortSignal): Response {
  const drawn = drawTurn(db, user, input);
  const stop = new AbortController();
  const aborted = AbortSignal.any([signal, stop.signal]);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (data: unknown) => {
        try {
          controller.enqueue(encoder.encode(sseEvent(data)));
        } catch {
          stop.abort(); // the reader is gone: nobody waits for these answers
        }
      };
      const answer = (side: Side) =>
        answerWithPolicy(db, drawn.sides[side], drawn.conversation.messages, drawn.project.settings.battle, { signal: aborted, onDelta: (text) => send({ type: "delta", side, text }) })
          .then((a) => (send({ type: "done", side }), a), (error: unknown) => Promise.reject(new SideFailure(side, drawn.sides[side], error)));
      try {
        send({ type: "start", messages: drawn.conversation.messages });
        const [left, right] = await Promise.all([answer("left"), answer("right")]);
        send({ type: "ready", battleId: recordTurn(db, user, drawn, { left, right }) });
        send(SSE_DONE);
      } catch (error) {
        const gone = aborted.aborted;
        stop.abort(); // the other side stops generating for nobody
        if (gone) return; // the client left (or the stream was cancelled): void, silently
        if (error instanceof SideFailure) {
          console.error(`battle in project ${drawn.project.id}: the ${error.side} side, policy ${policyWithId(error.policy)}, failed:`, error.error);
          send({ type: "error", message: voidMessage(error) });
        } else {
          console.error(`battle in project ${drawn.project.id}: recording the turn failed:`, error);
          send({ type: "error", message: `The battle could not be recorded (${databaseFault(error)?.message ?? "an internal error"}). This battle is void: nothing was kept. Try again.` });
        }
      } finally {
        closeQuietly(controller);
      }
    },
    cancel() {
      stop.abort();
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}
