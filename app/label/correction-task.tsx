"use client";
import { useLayoutEffect, useRef, useState, type RefObject } from "react";
import { CompletionDiff } from "../components/completion-diff";
import { useKeyMap } from "../components/keyboard-hooks";
import { Key } from "../components/keyboard-key";
import { TextArea } from "../components/ui";
import { ChoiceButton } from "./choice-button";
import { CompletionCard } from "./completion-card";
import { InvisibleNotice } from "./invisible-notice";
import type { Draft, TaskWidgetProps } from "./types";

function correctionDraft(chosenId: number | null, text: string): Draft {
  if (chosenId === null) return { answer: null, problem: "Choose the better completion first (its number key)." };
  if (text.trim() === "") return { answer: null, problem: "The corrected text is empty." };
  return { answer: { kind: "correction", chosenCompletionId: chosenId, correctedText: text }, problem: null };
}

function CorrectionEditor({ original, text, onText, editor }: { original: string; text: string; onText: (t: string) => void; editor: RefObject<HTMLTextAreaElement | null> }) {
  return (
    <section className="grid grid-cols-1 gap-4 md:grid-cols-2">
      <div className="text-sm">
        <label className="block">
          <span className="mb-1 block font-medium text-slate-700">
            Corrected text <Key>E</Key> to edit, <Key>Esc</Key> to leave, <Key>Ctrl+Enter</Key> to submit
          </span>
          <TextArea ref={editor} value={text} onChange={(e) => onText(e.target.value)} rows={10} mono dir="auto" />
        </label>
        <InvisibleNotice text={text} onRemove={onText} />
      </div>
      <div className="text-sm">
        <span className="mb-1 block font-medium text-slate-700">Changes</span>
        <div className="rounded-md border border-slate-200 bg-white p-2.5">
          <CompletionDiff original={original} edited={text} />
        </div>
      </div>
    </section>
  );
}

/**
 * Preference with correction: pick the better completion (number keys), edit it inline into
 * what it should have said (E to edit, Esc to leave the field), and see the word diff live.
 */
export function CorrectionTask({ task, prefill, keysEnabled, onDraft }: TaskWidgetProps) {
  const original = (id: number | null) => task.completions.find((c) => c.id === id)?.text ?? "";
  const [chosenId, setChosenId] = useState<number | null>(prefill?.chosenCompletionId ?? null);
  const [text, setText] = useState(() => prefill?.correctedText ?? original(prefill?.chosenCompletionId ?? null));
  const editor = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => onDraft(correctionDraft(chosenId, text)), [chosenId, text, onDraft]);

  // Choosing another completion starts the edit from its text (an edit belongs to one completion).
  const choose = (id: number) => {
    if (id === chosenId) return;
    setChosenId(id);
    setText(original(id));
  };
  const edit = () => chosenId !== null && editor.current?.focus();
  const numberKeys = Object.fromEntries(task.completions.map((c, i) => [String(i + 1), () => choose(c.id)]));
  useKeyMap({ ...numberKeys, e: edit }, keysEnabled);

  return (
    <div className="space-y-4">
      <div className={`grid grid-cols-1 gap-4 ${task.completions.length === 2 ? "md:grid-cols-2" : "md:grid-cols-3"}`}>
        {task.completions.map((c, i) => (
          <CompletionCard
            key={c.id}
            testId={`completion-${i + 1}`}
            label={`Completion ${i + 1}`}
            text={c.text}
            selected={chosenId === c.id}
            badge={
              <ChoiceButton active={chosenId === c.id} keys={String(i + 1)} onClick={() => choose(c.id)}>
                {chosenId === c.id ? "Chosen" : "Choose"}
              </ChoiceButton>
            }
          />
        ))}
      </div>
      {chosenId !== null && <CorrectionEditor original={original(chosenId)} text={text} onText={setText} editor={editor} />}
    </div>
  );
}
