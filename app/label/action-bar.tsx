import { Key } from "../components/keyboard-key";
import { Button } from "../components/ui";

/** Submit and the ways out of a task, each with its key. */
export function ActionBar({
  busy,
  onSubmit,
  onSkip,
  onFlag,
  onUndo,
}: {
  busy: boolean;
  onSubmit: () => void;
  onSkip: () => void;
  onFlag: () => void;
  onUndo: () => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button type="button" onClick={onSubmit} disabled={busy}>
        {busy ? "Saving…" : "Submit"} <Key>Enter</Key>
      </Button>
      <Button type="button" variant="secondary" onClick={onSkip} disabled={busy}>
        Skip <Key>S</Key>
      </Button>
      <Button type="button" variant="secondary" onClick={onFlag} disabled={busy}>
        Flag <Key>F</Key>
      </Button>
      <Button type="button" variant="secondary" onClick={onUndo} disabled={busy} className="ml-auto">
        Undo last <Key>U</Key>
      </Button>
    </div>
  );
}
