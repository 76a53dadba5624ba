"use client";
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from "react";
import { useKeyMap } from "../components/keyboard-hooks";
import { useKeyboardDrag } from "./rank-keyboard-drag";
import { RankList } from "./rank-list";
import { clearRank, moveFocus, moveItem, rankingFromRanks, rankingGap, ranksFromOrder, setRank, type Ranks } from "./rank-state";
import type { ProjectView, TaskWidgetProps } from "./types";

/** A prefilled ranking (after undo) as ranks: group g → rank g + 1. */
function ranksFromRanking(ranking: number[][] | null | undefined): Ranks {
  return Object.fromEntries((ranking ?? []).flatMap((group, g) => group.map((id) => [id, g + 1])));
}

/**
 * Number keys rank the focused card (then focus moves on), 0/Backspace clear it, j/k and arrows
 * move focus. They read order and focus from refs, so two keys pressed before React renders
 * (j j) both count.
 */
function useRankKeys(order: RefObject<readonly number[]>, focus: RefObject<number>, focusCard: (i: number) => void, setRanks: (f: (r: Ranks) => Ranks) => void, allowTies: boolean, enabled: boolean) {
  const n = order.current.length;
  const rankFocused = (r: number) => {
    const id = order.current[focus.current];
    if (id === undefined) return;
    setRanks((prev) => setRank(prev, id, r, allowTies));
    if (focus.current < n - 1) focusCard(focus.current + 1);
  };
  const unrank = () => {
    const id = order.current[focus.current];
    if (id !== undefined) setRanks((prev) => clearRank(prev, id));
  };
  const down = () => focusCard(moveFocus(focus.current, 1, n));
  const up = () => focusCard(moveFocus(focus.current, -1, n));
  const numbers = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i + 1), () => rankFocused(i + 1)]));
  useKeyMap({ ...numbers, "0": unrank, backspace: unrank, j: down, arrowdown: down, k: up, arrowup: up }, enabled);
}

function RankHelp({ n, project }: { n: number; project: ProjectView }) {
  return (
    <p className="text-sm text-slate-600">
      Focus a card (<kbd>J</kbd>/<kbd>K</kbd> or <kbd>↓</kbd>/<kbd>↑</kbd>) and press its rank <kbd>1</kbd>–<kbd>{String(n)}</kbd> (1 = best);{" "}
      <kbd>0</kbd> clears. Or drag cards into order (<kbd>Space</kbd> lifts a focused card).{" "}
      {project.allowRankTies ? "Ties allowed: give two cards the same number." : "No ties: each rank once."}
      {project.allowPartialRanking ? " You may leave cards unranked." : ""}
    </p>
  );
}

/** State read by key handlers lives in refs too: keys may arrive faster than React renders. */
function useRefState<T>(initial: () => T) {
  const [value, setValue] = useState(initial);
  const ref = useRef(value);
  const set = useCallback((next: T) => {
    ref.current = next;
    setValue(next);
  }, []);
  return [value, ref, set] as const;
}

/**
 * The keyboard drag's side of the ranking: lift, move, drop (the list becomes the ranking), put
 * back, each announced to screen readers. React reorders the list by moving the card's element,
 * and a moved element loses focus: the card is focused again after every step.
 */
function useRankKeyboardDrag(o: {
  order: RefObject<readonly number[]>;
  setOrder: (order: number[]) => void;
  setRanks: (ranks: Ranks) => void;
  focus: RefObject<number>;
  setFocus: (i: number) => void;
  cards: RefObject<Array<HTMLElement | null>>;
  enabled: boolean;
}) {
  const [lifted, setLifted] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const refocus = useRef(false);
  const place = (order: readonly number[], id: number) => `position ${order.indexOf(id) + 1} of ${order.length}`;
  const show = (order: readonly number[], id: number) => {
    o.setOrder([...order]);
    o.setFocus(order.indexOf(id));
    refocus.current = true;
  };
  useLayoutEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    o.cards.current[o.focus.current]?.focus();
  });
  useKeyboardDrag(
    {
      order: o.order,
      onLift: (id) => {
        o.setFocus(o.order.current.indexOf(id));
        setLifted(id);
        setAnnouncement(`Lifted the completion at ${place(o.order.current, id)}. Arrow keys move it, Space drops it, Escape puts it back.`);
      },
      onMove: (order, id) => {
        show(order, id);
        setAnnouncement(`Moved to ${place(order, id)}.`);
      },
      onDrop: (id, moved) => {
        if (moved) o.setRanks(ranksFromOrder(o.order.current));
        setLifted(null);
        setAnnouncement(`Dropped at ${place(o.order.current, id)}.`);
      },
      onCancel: (before, id) => {
        show(before, id);
        setLifted(null);
        setAnnouncement(`Put back at ${place(before, id)}.`);
      },
    },
    o.enabled,
  );
  return { lifted, announcement };
}

/** Ranked list: rank badges set by keys; a drop makes the list order the ranking. */
export function RankTask({ task, project, prefill, keysEnabled, onDraft }: TaskWidgetProps) {
  const [order, orderRef, setOrder] = useRefState<number[]>(() => task.completions.map((c) => c.id));
  const [ranks, setRanks] = useState<Ranks>(() => ranksFromRanking(prefill?.ranking));
  const [focus, focusRef, setFocus] = useRefState(() => 0);
  const [dragging, setDragging] = useState(false);
  const cards = useRef<Array<HTMLElement | null>>([]);
  useLayoutEffect(() => {
    const gap = rankingGap(order, ranks, project.allowPartialRanking);
    onDraft(gap ? { answer: null, problem: gap } : { answer: { kind: "rank", ranking: rankingFromRanks(order, ranks) }, problem: null });
  }, [order, ranks, project.allowPartialRanking, onDraft]);
  const focusCard = (i: number) => {
    setFocus(i);
    cards.current[i]?.focus();
  };
  const keyboardDrag = useRankKeyboardDrag({ order: orderRef, setOrder, setRanks, focus: focusRef, setFocus, cards, enabled: keysEnabled && !dragging });
  useRankKeys(orderRef, focusRef, focusCard, setRanks, project.allowRankTies, keysEnabled && !dragging);
  const onMove = (activeId: number, overId: number) => {
    const next = moveItem(order, order.indexOf(activeId), order.indexOf(overId));
    setOrder(next);
    setRanks(ranksFromOrder(next));
    setFocus(next.indexOf(activeId));
  };
  return (
    <div className="space-y-2">
      <RankHelp n={order.length} project={project} />
      <RankList
        task={task}
        order={order}
        ranks={ranks}
        focus={focus}
        lifted={keyboardDrag.lifted}
        announcement={keyboardDrag.announcement}
        cards={cards}
        onFocus={setFocus}
        onDragging={setDragging}
        onMove={onMove}
      />
    </div>
  );
}
