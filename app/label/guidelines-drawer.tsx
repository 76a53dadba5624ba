"use client";
import { useKeyMap } from "../components/keyboard-hooks";
import { Key } from "../components/keyboard-key";
import { Markdown } from "../components/markdown";

/** The project's guidelines beside the task (the task stays visible and usable; G or Esc closes). */
export function GuidelinesDrawer({ guidelines, onClose }: { guidelines: string; onClose: () => void }) {
  useKeyMap({ escape: onClose });
  return (
    <aside
      aria-label="Guidelines"
      className="fixed inset-y-0 right-0 z-30 w-full max-w-md overflow-y-auto border-l border-slate-200 bg-white p-5 shadow-xl"
    >
      <div className="mb-3 flex items-center">
        <h2 className="text-lg font-semibold">Guidelines</h2>
        <button type="button" className="ml-auto text-sm text-slate-600 underline" onClick={onClose}>
          Close <Key>G</Key>
        </button>
      </div>
      {guidelines.trim() ? <Markdown text={guidelines} /> : <p className="text-sm text-slate-500">This project has no guidelines yet.</p>}
    </aside>
  );
}
