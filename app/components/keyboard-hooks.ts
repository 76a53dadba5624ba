"use client";
import { useEffect, useRef } from "react";
import { dispatchKey, type KeyMap } from "./keyboard";

/**
 * Binds a key map on the window while `enabled`. The latest map is read at key time, so callers
 * may pass a fresh object every render without re-binding. Keys another handler already took
 * (defaultPrevented, e.g. dnd-kit while a card is lifted) and auto-repeats are ignored.
 */
export function useKeyMap(map: KeyMap, enabled = true): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat || e.isComposing) return;
      if (dispatchKey(ref.current, e, e.target as Element | null)) e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}
