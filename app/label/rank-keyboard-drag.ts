"use client";
import { useLayoutEffect, useRef, type MutableRefObject } from "react";
import { bindingOf } from "../components/keyboard";
import { nudge } from "./rank-state";

/** What the keyboard drag reads and tells: the order as of the last key, and each step. */
export interface KeyboardDragHandlers {
  /** The visible order, current as of the last key (a ref: keys may come faster than renders). */
  order: MutableRefObject<readonly number[]>;
  onLift: (id: number) => void;
  onMove: (order: number[], id: number) => void;
  /** Dropped where it is; `moved` is false when it ends where it was lifted. */
  onDrop: (id: number, moved: boolean) => void;
  /** Put back: `before` is the order at the lift. */
  onCancel: (before: readonly number[], id: number) => void;
}

/** The completion id of the rank card a key was pressed on, or null. */
function cardOf(target: EventTarget | null): number | null {
  const card = target instanceof Element ? target.closest("[data-card-id]") : null;
  return card ? Number(card.getAttribute("data-card-id")) : null;
}

/**
 * Keyboard drag of a ranking: Space on a focused card lifts it, ↑/↓ move it one place, Space
 * drops it, Escape puts it back, Tab drops it and moves on. Not dnd-kit's KeyboardSensor: that
 * sensor starts listening one timer tick after Space and moves by positions React measures later,
 * so on a busy machine an arrow pressed right after Space was lost (or taken by the rank keys as
 * "focus the previous card"). Here each key acts at once on the order in a ref, from a
 * capture-phase window listener that runs before every other binding and, while a card is
 * lifted, keeps Enter, numbers and j/k from acting on a half-made order.
 */
export function useKeyboardDrag(handlers: KeyboardDragHandlers, enabled: boolean): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useLayoutEffect(() => {
    // Layout, like useKeyMap: live before the task is painted.
    if (!enabled) return;
    let lift: { id: number; before: readonly number[] } | null = null;
    const drop = (id: number, before: readonly number[]) => {
      lift = null;
      const order = latest.current.order.current;
      latest.current.onDrop(id, order.some((x, i) => x !== before[i]));
    };
    const cancel = (id: number, before: readonly number[]) => {
      lift = null;
      latest.current.onCancel(before, id);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.isComposing) return;
      const key = bindingOf(e);
      if (!lift) {
        const id = key === "space" && !e.repeat && !e.defaultPrevented ? cardOf(e.target) : null;
        if (id === null) return;
        e.preventDefault(); // no page scroll, no other binding
        lift = { id, before: latest.current.order.current };
        latest.current.onLift(id);
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return; // browser shortcuts stay the browser's
      if (key === "tab") return drop(lift.id, lift.before);
      e.preventDefault();
      if (key === "arrowup" || key === "arrowdown") latest.current.onMove(nudge(latest.current.order.current, lift.id, key === "arrowup" ? -1 : 1), lift.id);
      else if (key === "space" && !e.repeat) drop(lift.id, lift.before);
      else if (key === "escape") cancel(lift.id, lift.before);
    };
    window.addEventListener("keydown", onKey, true);
    return () => {
      window.removeEventListener("keydown", onKey, true);
      if (lift) cancel(lift.id, lift.before); // a dialog took the keyboard mid-lift
    };
  }, [enabled]);
}
