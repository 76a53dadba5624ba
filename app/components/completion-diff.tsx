import { diffWords } from "diff";
import { useMemo } from "react";
import { VisibleText } from "./visible-text";

/**
 * A word diff of a completion and the annotator's edit: removed words struck through in red,
 * added words in green, the rest as they were. Plain text spans, never HTML; invisible
 * characters are shown as markers, as in the completion cards, so a removed right-to-left
 * override cannot reorder the words after it. Before any edit it shows the text as it stands.
 */
export function CompletionDiff({ original, edited }: { original: string; edited: string }) {
  const parts = useMemo(() => diffWords(original, edited), [original, edited]);
  const changed = parts.some((p) => p.added || p.removed);
  return (
    <>
      {!changed && <p className="mb-1 text-sm text-slate-500">No changes yet: edit the text above.</p>}
      <p dir="auto" className="whitespace-pre-wrap wrap-anywhere text-sm leading-relaxed" data-testid="correction-diff">
        {parts.map((part, i) =>
          part.added ? (
            <ins key={i} className="rounded bg-emerald-100 text-emerald-900 no-underline">
              <VisibleText text={part.value} />
            </ins>
          ) : part.removed ? (
            <del key={i} className="rounded bg-rose-100 text-rose-800">
              <VisibleText text={part.value} />
            </del>
          ) : (
            <span key={i}>
              <VisibleText text={part.value} />
            </span>
          ),
        )}
      </p>
    </>
  );
}
