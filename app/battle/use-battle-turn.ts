"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { readSseData } from "../../core/openai/sse";
import type { ChatMessage } from "../../db/schema";
import type { BattleTurnInput } from "../../server/services/battles/turn";

export type Side = "left" | "right";

/** One battle turn as the page shows it, from the stream's events (server/services/battles/stream.ts). */
export interface TurnState {
  phase: "idle" | "streaming" | "ready" | "void";
  /** The conversation both sides answer (ends with the user's message). */
  messages: ChatMessage[];
  answers: Record<Side, string>;
  done: Record<Side, boolean>;
  battleId: number | null;
  error: string | null;
  /** When the answers began to appear: the vote measures the time spent from here. */
  startedAt: number;
}

const IDLE: TurnState = { phase: "idle", messages: [], answers: { left: "", right: "" }, done: { left: false, right: false }, battleId: null, error: null, startedAt: 0 };

type BattleEvent =
  | { type: "start"; messages: ChatMessage[] }
  | { type: "delta"; side: Side; text: string }
  | { type: "done"; side: Side }
  | { type: "ready"; battleId: number }
  | { type: "error"; message: string };

function apply(turn: TurnState, e: BattleEvent): TurnState {
  if (e.type === "start") return { ...turn, messages: e.messages };
  if (e.type === "delta") return { ...turn, answers: { ...turn.answers, [e.side]: turn.answers[e.side] + e.text } };
  if (e.type === "done") return { ...turn, done: { ...turn.done, [e.side]: true } };
  if (e.type === "ready") return { ...turn, phase: "ready", battleId: e.battleId };
  return { ...turn, phase: "void", error: e.message };
}

const LOST = "The connection was lost before both answers finished. This battle is void: nothing was recorded. Try again.";

/** Streams a turn from POST /api/battles; `start` again (or `reset`) drops the one in flight. */
export function useBattleTurn(projectId: number) {
  const [turn, setTurn] = useState<TurnState>(IDLE);
  const inFlight = useRef<AbortController | null>(null);
  useEffect(() => () => inFlight.current?.abort(), []);

  const start = useCallback(async (next: BattleTurnInput["turn"]) => {
    inFlight.current?.abort();
    const abort = (inFlight.current = new AbortController());
    let state: TurnState = { ...IDLE, phase: "streaming", startedAt: Date.now(), messages: next.kind === "written" ? [{ role: "user", content: next.text }] : [] };
    const show = (s: TurnState) => !abort.signal.aborted && setTurn((state = s));
    show(state);
    try {
      const res = await fetch("/api/battles", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ projectId, turn: next }), signal: abort.signal });
      if (!res.ok || !res.body) return show({ ...state, phase: "void", error: ((await res.json().catch(() => null)) as { error?: string } | null)?.error ?? `The battle could not start (HTTP ${res.status}).` });
      for await (const data of readSseData(res.body)) if (data !== "[DONE]") show(apply(state, JSON.parse(data) as BattleEvent));
      if (state.phase === "streaming") show({ ...state, phase: "void", error: LOST });
    } catch {
      if (!abort.signal.aborted) show({ ...state, phase: "void", error: LOST });
    }
  }, [projectId]);

  const reset = useCallback(() => {
    inFlight.current?.abort();
    setTurn(IDLE);
  }, []);

  return { turn, start, reset };
}
