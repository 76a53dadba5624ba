/**
 * The ranking widget's state as pure functions: each card (completion id) may carry a rank
 * 1..n; the visible order is separate (drag and drop changes it). Number keys set a rank, a
 * drop gives every card its position as rank, and the answer groups equal ranks (ties).
 */

/** Completion id → rank (1 = best). Unranked cards have no entry. */
export type Ranks = Readonly<Record<number, number>>;

/**
 * Gives `id` the rank `rank`. Without ties, a card already holding that rank swaps with it (it
 * takes `id`'s old rank, or becomes unranked), so one key press never makes an illegal state.
 */
export function setRank(ranks: Ranks, id: number, rank: number, allowTies: boolean): Ranks {
  const next: Record<number, number> = { ...ranks, [id]: rank };
  if (allowTies) return next;
  const previous = ranks[id];
  for (const [other, r] of Object.entries(ranks)) {
    if (Number(other) === id || r !== rank) continue;
    if (previous === undefined) delete next[Number(other)];
    else next[Number(other)] = previous;
  }
  return next;
}

export function clearRank(ranks: Ranks, id: number): Ranks {
  const next: Record<number, number> = { ...ranks };
  delete next[id];
  return next;
}

/** After a drop: the card at position i gets rank i + 1 (a drag makes a strict order). */
export function ranksFromOrder(order: readonly number[]): Ranks {
  return Object.fromEntries(order.map((id, i) => [id, i + 1]));
}

/** Moves the item at `from` to `to` (what a sortable list does on drop). */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  return next;
}

/** `id` moved one place up (delta −1) or down (+1), staying put at either end (a keyboard drag step). */
export function nudge(order: readonly number[], id: number, delta: -1 | 1): number[] {
  const from = order.indexOf(id);
  const to = moveFocus(from, delta, order.length);
  return from === -1 || from === to ? [...order] : moveItem(order, from, to);
}

/** The answer the API takes: groups of ids, best first; equal ranks share a group, in visible order. */
export function rankingFromRanks(order: readonly number[], ranks: Ranks): number[][] {
  const byRank = new Map<number, number[]>();
  for (const id of order) {
    const r = ranks[id];
    if (r === undefined) continue;
    byRank.set(r, [...(byRank.get(r) ?? []), id]);
  }
  return [...byRank.entries()].sort((a, b) => a[0] - b[0]).map(([, ids]) => ids);
}

/** Why the ranking cannot be sent yet (checked again by the server), or null. */
export function rankingGap(order: readonly number[], ranks: Ranks, allowPartial: boolean): string | null {
  const ranked = order.filter((id) => ranks[id] !== undefined).length;
  if (!allowPartial && ranked < order.length) return `Rank all ${order.length} completions (${order.length - ranked} left).`;
  if (ranked < 2) return "Rank at least two completions.";
  return null;
}

/** Focus movement that stops at both ends rather than wrapping (wrapping loses people). */
export const moveFocus = (index: number, delta: number, count: number) => Math.max(0, Math.min(count - 1, index + delta));
