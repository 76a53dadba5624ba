"use client";
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { Markdown } from "../components/markdown";

/**
 * One sortable completion of a ranking. The whole card is the drag handle (pointer, touch, or
 * Space to lift and arrows to move: rank-keyboard-drag.ts) and is focusable, so number keys rank
 * "the focused card".
 */
export function RankCard({
  id,
  text,
  position,
  rank,
  focused,
  lifted,
  onFocus,
  cardRef,
}: {
  id: number;
  text: string;
  position: number;
  rank: number | undefined;
  focused: boolean;
  /** Lifted with the keyboard (Space): moves with the arrows until dropped. */
  lifted: boolean;
  onFocus: () => void;
  cardRef: (el: HTMLElement | null) => void;
}) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id });
  const style = { transform: CSS.Transform.toString(transform), transition };
  return (
    <li
      ref={(el) => {
        setNodeRef(el);
        cardRef(el);
      }}
      style={style}
      {...attributes}
      {...listeners}
      aria-pressed={isDragging || lifted}
      data-card-id={id}
      aria-roledescription="rankable completion"
      aria-label={`Completion ${position}${rank === undefined ? ", not ranked" : `, rank ${rank}`}`}
      data-testid="rank-card"
      data-rank={rank ?? ""}
      onFocus={onFocus}
      className={`flex touch-manipulation gap-3 rounded-lg border bg-white p-3 shadow-sm outline-none ${
        focused ? "border-indigo-500 ring-2 ring-indigo-200" : "border-slate-200"
      } ${isDragging || lifted ? "z-10 opacity-80 shadow-lg" : ""}`}
    >
      <div className="flex w-14 shrink-0 flex-col items-center gap-1 pt-0.5">
        <span
          className={`flex h-9 w-9 items-center justify-center rounded-full text-lg font-semibold ${
            rank === undefined ? "border border-dashed border-slate-300 text-slate-400" : "bg-indigo-600 text-white"
          }`}
          data-testid="rank-badge"
        >
          {rank ?? "–"}
        </span>
        <span className="cursor-grab select-none text-slate-400" aria-hidden>
          ⠿
        </span>
      </div>
      <div className="max-h-[40vh] min-w-0 flex-1 overflow-y-auto" data-testid="completion-text">
        <Markdown text={text} />
      </div>
    </li>
  );
}
