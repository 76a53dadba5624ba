import { countInvisible, withoutInvisible } from "../components/invisible-chars";
import { Button } from "../components/ui";
import { InvisibleMark } from "../components/visible-text";

/**
 * Under the correction editor: a textarea cannot show markers, and a right-to-left override in
 * it reorders what follows, so the editor says which invisible characters the text holds (the
 * same markers as the cards and the diff) and offers to remove them. They are kept otherwise:
 * the edit is the annotator's, not ours.
 */
export function InvisibleNotice({ text, onRemove }: { text: string; onRemove: (cleaned: string) => void }) {
  const found = countInvisible(text);
  if (found.length === 0) return null;
  return (
    <div className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-amber-900" data-testid="invisible-notice">
      <span>This text holds invisible characters:</span>
      {found.map((c) => (
        <span key={c.code} className="whitespace-nowrap">
          <InvisibleMark char={c} /> ×{c.count}
        </span>
      ))}
      <Button type="button" variant="secondary" className="px-2 py-0.5 text-xs" onClick={() => onRemove(withoutInvisible(text))}>
        Remove them
      </Button>
    </div>
  );
}
