"use client";
import { DndContext, KeyboardSensor, MouseSensor, TouchSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from "@dnd-kit/sortable";
import type { MutableRefObject } from "react";
import { RankCard } from "./rank-card";
import type { Ranks } from "./rank-state";
import type { LeasedTask } from "./types";

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

export interface RankListProps {
  task: LeasedTask;
  order: number[];
  ranks: Ranks;
  focus: number;
  cards: MutableRefObject<Array<HTMLElement | null>>;
  onFocus: (index: number) => void;
  onDragging: (dragging: boolean) => void;
  onMove: (activeId: number, overId: number) => void;
}

/** The sortable list of cards; a drop reports which card moved onto which. */
export function RankList({ task, order, ranks, focus, cards, onFocus, onDragging, onMove }: RankListProps) {
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
              onFocus={() => onFocus(i)}
              cardRef={(el) => {
                cards.current[i] = el;
              }}
            />
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}
