"use client";
import { useEffect, useState } from "react";
import { Key } from "../components/keyboard-key";
import type { Toast } from "./use-toast";

/** Seconds left until `until`, ticking once a second (0 when passed). */
export function useSecondsLeft(until: Date | null): number {
  const left = () => (until ? Math.max(0, Math.ceil((until.getTime() - Date.now()) / 1000)) : 0);
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (!until) return;
    const timer = setInterval(() => setSeconds(left()), 1000);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [until]);
  return seconds;
}

/** The confirmation after each action; after a submission it offers Undo while the server allows it. */
export function ToastBar({ toast, onUndo, onDismiss }: { toast: Toast; onUndo: () => void; onDismiss: () => void }) {
  const undoLeft = useSecondsLeft(toast.undoUntil);
  useEffect(() => {
    const timer = setTimeout(onDismiss, toast.undoUntil ? Math.max(4000, toast.undoUntil.getTime() - Date.now()) : 4000);
    return () => clearTimeout(timer);
  }, [toast, onDismiss]);
  return (
    <div role="status" className="fixed bottom-4 left-1/2 z-50 flex w-max max-w-[calc(100vw-2rem)] -translate-x-1/2 items-center gap-3 rounded-lg bg-slate-900 px-4 py-2.5 text-sm text-white shadow-lg">
      <span>{toast.message}</span>
      {toast.undoUntil && undoLeft > 0 && (
        <button type="button" onClick={onUndo} className="font-semibold text-indigo-300 hover:text-indigo-200">
          Undo <kbd>U</kbd> <span className="tabular-nums text-slate-400">{undoLeft}s</span>
        </button>
      )}
    </div>
  );
}
