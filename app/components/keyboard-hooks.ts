"use client";
import { useLayoutEffect, useRef } from "react";
import { dispatchKey, type KeyMap } from "./keyboard";

/**
 * Binds a key map on the window while `enabled`. The latest map is read at key time, so callers
 * may pass a fresh object every render without re-binding. Keys another handler already took
 * (defaultPrevented, e.g. dnd-kit while a card is lifted) and auto-repeats are ignored. Bound in
 * a layout effect, before the browser paints what the keys act on: a passive effect runs after
 * the paint, and on a busy machine a key pressed at the sight of a new task fell in that gap.
 */
export function useKeyMap(map: KeyMap, enabled = true): void {
  const ref = useRef(map);
  ref.current = map;
  useLayoutEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat || e.isComposing) return;
      if (dispatchKey(ref.current, e, e.target as Element | null)) e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}
