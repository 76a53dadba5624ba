"use client";
import { DndContext, MouseSensor, TouchSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import type { MutableRefObject } from "react";
import { RankCard } from "./rank-card";
import type { Ranks } from "./rank-state";
import type { LeasedTask } from "./types";

/**
 * Mouse after a short move (clicks still select text), touch after a short press (a swipe still
 * scrolls). Mouse rather than Pointer: pointer events also fire for fingers and would claim the
 * touch before the press delay, letting the page scroll instead. The keyboard drag (Space,
 * arrows, Space) is rank-keyboard-drag.ts, not dnd-kit's KeyboardSensor, which lost keys pressed
 * right after Space.
 */
function useRankSensors() {
  return useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 180, tolerance: 8 } }),
  );
}

export interface RankListProps {
  task: LeasedTask;
  order: number[];
  ranks: Ranks;
  focus: number;
  /** The card lifted with the keyboard, if any. */
  lifted: number | null;
  /** What the last keyboard drag step did, for screen readers. */
  announcement: string;
  cards: MutableRefObject<Array<HTMLElement | null>>;
  onFocus: (index: number) => void;
  onDragging: (dragging: boolean) => void;
  onMove: (activeId: number, overId: number) => void;
}

/** The sortable list of cards; a drop reports which card moved onto which. */
export function RankList({ task, order, ranks, focus, lifted, announcement, cards, onFocus, onDragging, onMove }: RankListProps) {
  const sensors = useRankSensors();
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    onDragging(false);
    if (over && active.id !== over.id) onMove(Number(active.id), Number(over.id));
  };
  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragStart={() => onDragging(true)} onDragCancel={() => onDragging(false)} onDragEnd={onDragEnd}>
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
              lifted={lifted === id}
              onFocus={() => onFocus(i)}
              cardRef={(el) => {
                cards.current[i] = el;
              }}
            />
          ))}
        </ol>
      </SortableContext>
      <p className="sr-only" aria-live="assertive" data-testid="rank-announcement">
        {announcement}
      </p>
    </DndContext>
  );
}
