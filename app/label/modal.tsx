"use client";
import { useEffect, useRef, type ReactNode } from "react";
import { useKeyMap } from "../components/keyboard-hooks";

/**
 * A centred dialog that owns the keyboard while open (the screen's keys are off), closes on
 * Esc, and gives focus back to where it was so the session continues without the mouse.
 */
export function Modal({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useKeyMap({ escape: onClose });
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    if (!box.current?.contains(document.activeElement)) box.current?.focus();
    return () => before?.focus?.({ preventScroll: true });
  }, []);
  return (
    <div className="fixed inset-0 z-40 flex items-start justify-center bg-slate-900/40 p-4 pt-[10vh]" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        tabIndex={-1}
        className={`max-h-[80vh] w-full overflow-y-auto rounded-lg bg-white p-5 shadow-xl outline-none ${wide ? "max-w-2xl" : "max-w-md"}`}
      >
        <h2 className="mb-3 text-lg font-semibold">{title}</h2>
        {children}
      </div>
    </div>
  );
}
