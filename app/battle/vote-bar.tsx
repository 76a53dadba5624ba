"use client";
import { useState } from "react";
import type { PairOutcome } from "../../db/enums";
import { useKeyMap } from "../components/keyboard-hooks";
import { Key } from "../components/keyboard-key";
import { Button } from "../components/ui";
import { ChoiceButton } from "../label/choice-button";

const OUTCOMES: Array<{ value: PairOutcome; label: string; keys: string }> = [
  { value: "left", label: "A is better", keys: "A / ←" },
  { value: "right", label: "B is better", keys: "D / →" },
  { value: "tie", label: "Tie", keys: "T" },
  { value: "both_bad", label: "Both are bad", keys: "X" },
];

/** The vote, keyboard-first as on /label: A/← left, D/→ right, T tie, X both bad, then Enter. */
export function VoteBar({ enabled, pending, onVote }: { enabled: boolean; pending: boolean; onVote: (outcome: PairOutcome) => void }) {
  const [outcome, setOutcome] = useState<PairOutcome | null>(null);
  const vote = () => outcome && !pending && onVote(outcome);
  useKeyMap({ a: () => setOutcome("left"), arrowleft: () => setOutcome("left"), d: () => setOutcome("right"), arrowright: () => setOutcome("right"), t: () => setOutcome("tie"), x: () => setOutcome("both_bad"), enter: vote }, enabled);
  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Vote">
      {OUTCOMES.map((o) => (
        <ChoiceButton key={o.value} active={outcome === o.value} keys={o.keys} disabled={!enabled} onClick={() => setOutcome(o.value)}>
          {o.label}
        </ChoiceButton>
      ))}
      <Button className="ml-auto" onClick={vote} disabled={!enabled || !outcome || pending}>
        Vote <Key>Enter</Key>
      </Button>
    </div>
  );
}
