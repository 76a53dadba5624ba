"use client";
import { useCallback, useRef, useState } from "react";

export interface Toast {
  message: string;
  /** Set when "Undo" is offered, until the server's undo window closes. */
  undoUntil: Date | null;
  /** A new id per message, so the same text twice still restarts its timer. */
  id: number;
}

/** The one confirmation message on screen; stable callbacks so its timer is not reset by re-renders. */
export function useToast() {
  const [toast, setToast] = useState<Toast | null>(null);
  const ids = useRef(0);
  const say = useCallback((message: string, undoUntil: Date | null = null) => setToast({ message, undoUntil, id: ++ids.current }), []);
  const dismiss = useCallback(() => setToast(null), []);
  return { toast, say, dismiss };
}
