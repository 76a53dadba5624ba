import { diffWords } from "diff";
import { useMemo } from "react";

/**
 * A word diff of a completion and the annotator's edit: removed words struck through in red,
 * added words in green, the rest as they were. Plain text spans, never HTML.
 */
export function CompletionDiff({ original, edited }: { original: string; edited: string }) {
  const parts = useMemo(() => diffWords(original, edited), [original, edited]);
  const changed = parts.some((p) => p.added || p.removed);
  if (!changed) return <p className="text-sm text-slate-500">No changes yet: edit the text above.</p>;
  return (
    <p className="whitespace-pre-wrap break-words text-sm leading-relaxed" data-testid="correction-diff">
      {parts.map((part, i) =>
        part.added ? (
          <ins key={i} className="rounded bg-emerald-100 text-emerald-900 no-underline">
            {part.value}
          </ins>
        ) : part.removed ? (
          <del key={i} className="rounded bg-rose-100 text-rose-800">
            {part.value}
          </del>
        ) : (
          <span key={i}>{part.value}</span>
        ),
      )}
    </p>
  );
}
