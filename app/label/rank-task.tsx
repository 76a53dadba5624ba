"use client";
import { DndContext, KeyboardSensor, MouseSensor, TouchSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { useLayoutEffect, useRef, useState } from "react";
import { useKeyMap } from "../components/keyboard-hooks";
import { RankCard } from "./rank-card";
import { clearRank, moveFocus, moveItem, rankingFromRanks, rankingGap, ranksFromOrder, setRank, type Ranks } from "./rank-state";
import type { TaskWidgetProps } from "./types";

/** A prefilled ranking (after undo) as ranks: group g → rank g + 1. */
function ranksFromRanking(ranking: number[][] | null | undefined): Ranks {
  return Object.fromEntries((ranking ?? []).flatMap((group, g) => group.map((id) => [id, g + 1])));
}

/**
 * Mouse after a short move (clicks still select text), touch after a short press (a swipe still
 * scrolls), keyboard on Space. Mouse rather than Pointer: pointer events also fire for fingers
 * and would claim the touch before the press delay, letting the page scroll instead.
 */
function useRankSensors() {
  return useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 180, tolerance: 8 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: sortableKeyboardCoordinates,
      keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space"] },
    }),
  );
}

/** Ranked list: number keys rank the focused card, j/k or arrows move focus, drag to reorder. */
export function RankTask({ task, project, prefill, keysEnabled, onDraft }: TaskWidgetProps) {
  const [order, setOrder] = useState(() => task.completions.map((c) => c.id));
  const [ranks, setRanks] = useState<Ranks>(() => ranksFromRanking(prefill?.ranking));
  const [focus, setFocus] = useState(0);
  const [dragging, setDragging] = useState(false);
  const cards = useRef<Array<HTMLElement | null>>([]);
  const sensors = useRankSensors();
  const n = order.length;

  useLayoutEffect(() => {
    const gap = rankingGap(order, ranks, project.allowPartialRanking);
    onDraft(gap ? { answer: null, problem: gap } : { answer: { kind: "rank", ranking: rankingFromRanks(order, ranks) }, problem: null });
  }, [order, ranks, project.allowPartialRanking, onDraft]);

  const focusCard = (i: number) => {
    setFocus(i);
    cards.current[i]?.focus();
  };
  const rankFocused = (r: number) => {
    const id = order[focus];
    if (id === undefined || r > n) return;
    setRanks((prev) => setRank(prev, id, r, project.allowRankTies));
    if (focus < n - 1) focusCard(focus + 1);
  };
  const numberKeys = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i + 1), () => rankFocused(i + 1)]));
  const unrank = () => order[focus] !== undefined && setRanks((prev) => clearRank(prev, order[focus]!));
  useKeyMap(
    { ...numberKeys, "0": unrank, backspace: unrank, j: () => focusCard(moveFocus(focus, 1, n)), arrowdown: () => focusCard(moveFocus(focus, 1, n)), k: () => focusCard(moveFocus(focus, -1, n)), arrowup: () => focusCard(moveFocus(focus, -1, n)) },
    keysEnabled && !dragging,
  );

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    setDragging(false);
    if (!over || active.id === over.id) return;
    const next = moveItem(order, order.indexOf(Number(active.id)), order.indexOf(Number(over.id)));
    setOrder(next);
    setRanks(ranksFromOrder(next));
    setFocus(next.indexOf(Number(active.id)));
  };

  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-600">
        Focus a card (<kbd>J</kbd>/<kbd>K</kbd> or <kbd>↓</kbd>/<kbd>↑</kbd>) and press its rank <kbd>1</kbd>–<kbd>{String(n)}</kbd> (1 = best);{" "}
        <kbd>0</kbd> clears. Or drag cards into order (<kbd>Space</kbd> lifts a focused card). {project.allowRankTies ? "Ties allowed: give two cards the same number." : "No ties: each rank once."}
        {project.allowPartialRanking ? " You may leave cards unranked." : ""}
      </p>
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragStart={() => setDragging(true)} onDragCancel={() => setDragging(false)} onDragEnd={onDragEnd}>
        <SortableContext items={order} strategy={verticalListSortingStrategy}>
          <ol className="space-y-2">
            {order.map((id, i) => (
              <RankCard
                key={id}
                id={id}
                position={i + 1}
                text={task.completions.find((c) => c.id === id)?.text ?? ""}
                rank={ranks[id]}
                focused={focus === i}
                onFocus={() => setFocus(i)}
                cardRef={(el) => {
                  cards.current[i] = el;
                }}
              />
            ))}
          </ol>
        </SortableContext>
      </DndContext>
    </div>
  );
}
