"use client";
import { useLayoutEffect, useState } from "react";
import { useKeyMap } from "../components/keyboard-hooks";
import { ChoiceButton } from "./choice-button";
import { CompletionCard } from "./completion-card";
import type { Answer, Draft, TaskWidgetProps } from "./types";

type Outcome = Extract<Answer, { kind: "pair" }>["outcome"];

const OUTCOMES: Array<{ value: Outcome; label: string; keys: string }> = [
  { value: "left", label: "Left is better", keys: "A / ←" },
  { value: "right", label: "Right is better", keys: "D / →" },
  { value: "tie", label: "Tie", keys: "T" },
  { value: "both_bad", label: "Both bad", keys: "X" },
];
const STRENGTHS = [
  { value: 1, label: "Slightly" },
  { value: 2, label: "Clearly" },
  { value: 3, label: "Much" },
];

const decisive = (o: Outcome | null) => o === "left" || o === "right";

function pairDraft(outcome: Outcome | null, strength: number | null): Draft {
  if (!outcome) return { answer: null, problem: "Choose an outcome: A left, D right, T tie, X both bad." };
  if (decisive(outcome) && strength === null) return { answer: null, problem: "Choose how much better: 1 slightly, 2 clearly, 3 much." };
  return { answer: { kind: "pair", outcome, strength: decisive(outcome) ? strength : null }, problem: null };
}

/** A/← and D/→ for left and right (both hands work), T tie, X both bad, 1–3 strength. */
function usePairKeys(choose: (o: Outcome) => void, strengthen: (s: number) => void, enabled: boolean) {
  useKeyMap(
    {
      a: () => choose("left"),
      arrowleft: () => choose("left"),
      d: () => choose("right"),
      arrowright: () => choose("right"),
      t: () => choose("tie"),
      x: () => choose("both_bad"),
      "1": () => strengthen(1),
      "2": () => strengthen(2),
      "3": () => strengthen(3),
    },
    enabled,
  );
}

function PairChoices({ outcome, strength, onOutcome, onStrength }: { outcome: Outcome | null; strength: number | null; onOutcome: (o: Outcome) => void; onStrength: (s: number) => void }) {
  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Outcome">
      {OUTCOMES.map((o) => (
        <ChoiceButton key={o.value} active={outcome === o.value} keys={o.keys} onClick={() => onOutcome(o.value)}>
          {o.label}
        </ChoiceButton>
      ))}
      <span className="mx-2 h-6 w-px bg-slate-200" />
      {STRENGTHS.map((s) => (
        <ChoiceButton key={s.value} active={strength === s.value} keys={String(s.value)} disabled={outcome !== null && !decisive(outcome)} onClick={() => onStrength(s.value)}>
          {s.label}
        </ChoiceButton>
      ))}
    </div>
  );
}

/** Pairwise: two completions side by side (stacked on narrow screens), outcome and strength. */
export function PairTask({ task, prefill, keysEnabled, onDraft }: TaskWidgetProps) {
  const [outcome, setOutcome] = useState<Outcome | null>(prefill?.outcome ?? null);
  const [strength, setStrength] = useState<number | null>(prefill?.strength ?? null);
  useLayoutEffect(() => onDraft(pairDraft(outcome, strength)), [outcome, strength, onDraft]);

  const choose = (o: Outcome) => {
    setOutcome(o);
    if (!decisive(o)) setStrength(null);
  };
  // Strength may come first ("2" then "a"); a tie or both-bad has none.
  const strengthen = (s: number) => (outcome === null || decisive(outcome)) && setStrength(s);
  usePairKeys(choose, strengthen, keysEnabled);

  const [left, right] = task.completions;
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {[left, right].map((c, i) => (
          <CompletionCard
            key={c?.id ?? i}
            testId={i === 0 ? "completion-left" : "completion-right"}
            label={i === 0 ? "Left" : "Right"}
            text={c?.text ?? ""}
            selected={outcome === (i === 0 ? "left" : "right")}
          />
        ))}
      </div>
      <PairChoices outcome={outcome} strength={strength} onOutcome={choose} onStrength={strengthen} />
    </div>
  );
}
