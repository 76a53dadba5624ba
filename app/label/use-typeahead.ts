"use client";
import { useEffect, useMemo, useRef } from "react";
import { bindingOf, shouldHandle } from "../components/keyboard";
import { droppedNote, isTypeaheadKey, judgeKey, type HeldKey, type TaskKind } from "./typeahead";

/** The session's side of typeahead.ts: hold keys while busy, replay them on the next task. */
export interface Typeahead {
  /** An action on view `viewId` (0: no task on screen) starts: from now its keys are held. Synchronous, so no key slips through before React renders. */
  hold(viewId: number): void;
  /** The awaited task will not come (the action failed, the queue is empty): held keys are dropped, with a note. */
  drop(): void;
  /** A task is on screen (its panel's layout effect): keys pressed from now on were pressed seeing it. Returns the cleanup. */
  shown(viewId: number, kind: TaskKind): () => void;
  /** Its keys are bound and nothing is in flight: held keys run on it. Returns the cleanup. */
  live(viewId: number, kind: TaskKind, region: HTMLElement): () => void;
}

interface State {
  queue: HeldKey[];
  /** The view whose action is in flight, or null. */
  holdFor: number | null;
  onScreen: { viewId: number; kind: TaskKind | null };
  live: { viewId: number; kind: TaskKind; region: HTMLElement } | null;
  /** A blind key that must not run was met on this view: later blind keys are dropped too. */
  stoppedOn: number | null;
  replaying: boolean;
  dropped: HeldKey[];
}

const eventInit = (e: KeyboardEvent): KeyboardEventInit => ({
  key: e.key,
  code: e.code,
  ctrlKey: e.ctrlKey,
  metaKey: e.metaKey,
  altKey: e.altKey,
  shiftKey: e.shiftKey,
  bubbles: true,
  cancelable: true,
});

/**
 * Holds the task keys pressed while an action is in flight, from a capture listener on window
 * registered when the session mounts (so before any task's listeners: it sees keys first and
 * stops held ones before they reach the old task), and replays them one at a time on the next
 * task as key events on its focused element, the way the annotator would have pressed them:
 * every binding, the rank drag included, handles them unchanged. One key per macrotask lets
 * React render between two keys (handlers read state of the last render). Keys pressed during
 * the replay queue behind it; a replayed key that starts an action (Enter, U) holds the rest.
 */
export function useTypeahead(onDropped: (note: string | null) => void): Typeahead {
  const notify = useRef(onDropped);
  notify.current = onDropped;
  const state = useRef<State>({ queue: [], holdFor: null, onScreen: { viewId: 0, kind: null }, live: null, stoppedOn: null, replaying: false, dropped: [] });
  const replayed = useRef(new WeakSet<Event>());

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = state.current;
      if (replayed.current.has(e) || (s.holdFor === null && s.queue.length === 0 && !s.replaying)) return;
      if (e.repeat || e.isComposing) return;
      const binding = bindingOf(e);
      if (!isTypeaheadKey(binding) || !shouldHandle(binding, e.target as Element | null)) return; // typing in a field, browser keys: as usual
      e.preventDefault();
      e.stopImmediatePropagation();
      s.queue.push({ binding, init: eventInit(e), ...s.onScreen });
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);

  return useMemo(() => {
    const s = state.current;
    const flushDropped = () => {
      if (s.dropped.length) notify.current(droppedNote(s.dropped, "unseen"));
      s.dropped = [];
    };
    /** Dispatches on the focused element of the task (a rank card after J), else on the task itself. */
    const dispatch = (key: HeldKey, region: HTMLElement) => {
      const active = document.activeElement;
      const target = active instanceof HTMLElement && region.contains(active) && shouldHandle(key.binding, active) ? active : region;
      const event = new KeyboardEvent("keydown", key.init);
      replayed.current.add(event);
      target.dispatchEvent(event);
    };
    const step = () => {
      const task = s.live;
      if (!task || s.holdFor !== null || s.queue.length === 0) {
        s.replaying = false;
        return flushDropped();
      }
      const key = s.queue.shift()!;
      const verdict = judgeKey(key, task, s.stoppedOn === task.viewId);
      if (verdict === "stop") s.stoppedOn = task.viewId;
      if (verdict !== "run") {
        s.dropped.push(key);
        return step();
      }
      flushDropped(); // said now: a key run next may start an action, which clears the note
      dispatch(key, task.region);
      setTimeout(step, 0);
    };
    const startReplay = () => {
      if (s.replaying || s.queue.length === 0) return;
      s.replaying = true;
      setTimeout(step, 0);
    };
    return {
      hold: (viewId) => {
        s.holdFor = viewId;
        notify.current(null);
      },
      drop: () => {
        s.holdFor = null;
        if (s.queue.length) notify.current(droppedNote(s.queue, "failed"));
        s.queue = [];
      },
      shown: (viewId, kind) => {
        s.onScreen = { viewId, kind };
        return () => {
          if (s.onScreen.viewId === viewId) s.onScreen = { viewId: 0, kind: null };
        };
      },
      live: (viewId, kind, region) => {
        s.live = { viewId, kind, region };
        if (s.holdFor !== viewId) s.holdFor = null; // the awaited task is here (a different view)
        startReplay();
        return () => {
          if (s.live?.viewId === viewId) s.live = null;
        };
      },
    };
  }, []);
}
