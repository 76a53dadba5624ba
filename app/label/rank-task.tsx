"use client";
import { useLayoutEffect, useRef, useState } from "react";
import { useKeyMap } from "../components/keyboard-hooks";
import { RankList } from "./rank-list";
import { clearRank, moveFocus, moveItem, rankingFromRanks, rankingGap, ranksFromOrder, setRank, type Ranks } from "./rank-state";
import type { ProjectView, TaskWidgetProps } from "./types";

/** A prefilled ranking (after undo) as ranks: group g → rank g + 1. */
function ranksFromRanking(ranking: number[][] | null | undefined): Ranks {
  return Object.fromEntries((ranking ?? []).flatMap((group, g) => group.map((id) => [id, g + 1])));
}

/** Number keys rank the focused card (then focus moves on), 0/Backspace clear it, j/k and arrows move focus. */
function useRankKeys(order: number[], focus: number, focusCard: (i: number) => void, setRanks: (f: (r: Ranks) => Ranks) => void, allowTies: boolean, enabled: boolean) {
  const n = order.length;
  const id = order[focus];
  const rankFocused = (r: number) => {
    if (id === undefined) return;
    setRanks((prev) => setRank(prev, id, r, allowTies));
    if (focus < n - 1) focusCard(focus + 1);
  };
  const unrank = () => id !== undefined && setRanks((prev) => clearRank(prev, id));
  const down = () => focusCard(moveFocus(focus, 1, n));
  const up = () => focusCard(moveFocus(focus, -1, n));
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

/** Ranked list: rank badges set by keys; a drop makes the list order the ranking. */
export function RankTask({ task, project, prefill, keysEnabled, onDraft }: TaskWidgetProps) {
  const [order, setOrder] = useState(() => task.completions.map((c) => c.id));
  const [ranks, setRanks] = useState<Ranks>(() => ranksFromRanking(prefill?.ranking));
  const [focus, setFocus] = useState(0);
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
  useRankKeys(order, focus, focusCard, setRanks, project.allowRankTies, keysEnabled && !dragging);
  const onMove = (activeId: number, overId: number) => {
    const next = moveItem(order, order.indexOf(activeId), order.indexOf(overId));
    setOrder(next);
    setRanks(ranksFromOrder(next));
    setFocus(next.indexOf(activeId));
  };
  return (
    <div className="space-y-2">
      <RankHelp n={order.length} project={project} />
      <RankList task={task} order={order} ranks={ranks} focus={focus} cards={cards} onFocus={setFocus} onDragging={setDragging} onMove={onMove} />
    </div>
  );
}
