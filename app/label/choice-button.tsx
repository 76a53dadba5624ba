import type { ReactNode } from "react";
import { Key } from "../components/keyboard-key";

/** A toggle button that shows its key: the labeling screen's one kind of choice control. */
export function ChoiceButton({
  active,
  keys,
  onClick,
  disabled,
  children,
}: {
  active: boolean;
  keys: string;
  onClick: () => void;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-pressed={active}
      disabled={disabled}
      onClick={onClick}
      className={`rounded-md border px-3 py-1.5 text-sm font-medium transition disabled:opacity-40 ${
        active ? "border-indigo-600 bg-indigo-600 text-white" : "border-slate-300 bg-white text-slate-800 hover:bg-slate-50"
      }`}
    >
      {children}
      <Key>{keys}</Key>
    </button>
  );
}
