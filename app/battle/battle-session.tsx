"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { PairOutcome } from "../../db/enums";
import type { BattleTurnInput } from "../../server/services/battles/turn";
import { useKeyMap } from "../components/keyboard-hooks";
import { Key } from "../components/keyboard-key";
import { Button, ErrorMessage } from "../components/ui";
import { CompletionCard } from "../label/completion-card";
import { PromptView } from "../label/prompt-view";
import { useTRPC } from "../trpc";
import { PromptComposer } from "./prompt-composer";
import { useBattleTurn, type Side, type TurnState } from "./use-battle-turn";
import { VoteBar } from "./vote-bar";

interface Reveal {
  battleId: number;
  outcome: PairOutcome;
  left: string;
  right: string;
}

const SIDES: Array<{ side: Side; name: string }> = [
  { side: "left", name: "Assistant A" },
  { side: "right", name: "Assistant B" },
];
const OUTCOME_WORDS: Record<PairOutcome, string> = { left: "A is better", right: "B is better", tie: "a tie", both_bad: "both are bad" };

/** The two answers side by side (stacked on narrow screens): anonymous until the vote, then named. */
function Answers({ turn, reveal }: { turn: TurnState; reveal: Reveal | null }) {
  return (
    <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
      {SIDES.map(({ side, name }) => (
        <CompletionCard
          key={side}
          testId={`battle-${side}`}
          label={name}
          selected={reveal?.outcome === side}
          text={turn.answers[side]}
          badge={reveal ? <span data-testid={`battle-name-${side}`} className="rounded bg-indigo-50 px-1.5 py-0.5 text-indigo-800">{reveal[side]}</span>
            : <span className="text-xs text-slate-400">{turn.done[side] ? "done" : turn.phase === "streaming" ? "writing…" : ""}</span>}
        />
      ))}
    </div>
  );
}

/** A battle project's screen: write (or pick) a prompt, watch two hidden policies answer, vote, see who they were, follow up. */
export function BattleSession({ projectId, onChangeProject }: { projectId: number; onChangeProject: () => void }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.battles.projects.queryOptions()).data?.find((p) => p.id === projectId);
  const { turn, start, reset } = useBattleTurn(projectId);
  const [reveal, setReveal] = useState<Reveal | null>(null);
  const [lastTurn, setLastTurn] = useState<BattleTurnInput["turn"] | null>(null);
  const vote = useMutation(trpc.battles.vote.mutationOptions({ onSuccess: (r, v) => setReveal({ battleId: r.battleId, outcome: v.outcome, left: r.left, right: r.right }) }));

  const begin = (next: BattleTurnInput["turn"]) => {
    setLastTurn(next);
    setReveal(null);
    vote.reset();
    void start(next);
  };
  const newBattle = () => (reset(), setReveal(null), setLastTurn(null), vote.reset());
  const castVote = (outcome: PairOutcome) => turn.battleId !== null && vote.mutate({ battleId: turn.battleId, outcome, clientSeconds: (Date.now() - turn.startedAt) / 1000 });
  useKeyMap({ n: newBattle, p: onChangeProject, r: () => turn.phase === "void" && lastTurn && begin(lastTurn) });

  const composing = turn.phase === "idle" || reveal !== null;
  return (
    <div className="space-y-4">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{project?.name ?? "Battle"}</h1>
        <span className="text-sm text-slate-500">Two hidden models answer; vote for the better one to see who they were.</span>
        <div className="ml-auto flex gap-2">
          <Button variant="secondary" onClick={newBattle}>New battle <Key>N</Key></Button>
          <Button variant="secondary" onClick={onChangeProject}>Change project <Key>P</Key></Button>
        </div>
      </header>
      {turn.messages.length > 0 && <PromptView prompt={{ text: "", messages: turn.messages }} />}
      {turn.phase !== "idle" && <Answers turn={turn} reveal={reveal} />}
      {turn.phase === "void" && (
        <div className="flex items-center gap-3">
          <ErrorMessage error={turn.error} />
          {lastTurn && <Button variant="secondary" onClick={() => begin(lastTurn)}>Try again <Key>R</Key></Button>}
        </div>
      )}
      {(turn.phase === "streaming" || turn.phase === "ready") && !reveal && <VoteBar enabled={turn.phase === "ready"} pending={vote.isPending} onVote={castVote} />}
      <ErrorMessage error={vote.error} />
      {reveal && (
        <p role="status" className="text-sm text-slate-700" data-testid="battle-revealed">
          You voted {OUTCOME_WORDS[reveal.outcome]}. A was <strong>{reveal.left}</strong>, B was <strong>{reveal.right}</strong>.
        </p>
      )}
      {composing && (
        <PromptComposer
          key={reveal?.battleId ?? "first"}
          projectId={projectId}
          followUp={reveal !== null}
          onSend={(text) => begin(reveal ? { kind: "followUp", battleId: reveal.battleId, text } : { kind: "written", text })}
          onPick={(promptId) => begin({ kind: "picked", promptId })}
        />
      )}
    </div>
  );
}
