/**
 * Time on task counts the time the page was visible: a task left open in a background tab
 * while the annotator had lunch is not an hour of work. Hidden spans are recorded once per
 * page (visibilitychange) and subtracted from the wall-clock time since the task was shown.
 */

/** [start, end) of a span the page was hidden, in performance.now() milliseconds; end null while hidden. */
export type HiddenSpan = { start: number; end: number | null };

/** Visible milliseconds between `shownAt` and `now`, given the hidden spans. */
export function visibleMs(shownAt: number, now: number, hidden: readonly HiddenSpan[]): number {
  let away = 0;
  for (const span of hidden) {
    const start = Math.max(span.start, shownAt);
    const end = Math.min(span.end ?? now, now);
    if (end > start) away += end - start;
  }
  return Math.max(0, now - shownAt - away);
}

const spans: HiddenSpan[] = [];
let listening = false;

function track() {
  if (listening || typeof document === "undefined") return;
  listening = true;
  document.addEventListener("visibilitychange", () => {
    const now = performance.now();
    if (document.visibilityState === "hidden") spans.push({ start: now, end: null });
    else if (spans.length && spans[spans.length - 1]!.end === null) spans[spans.length - 1]!.end = now;
    // Old spans cannot overlap a task shown after them; a long session keeps the list short.
    if (spans.length > 200) spans.splice(0, spans.length - 200);
  });
}

/** Starts the clock of a task view: returns the performance.now() it was shown at. */
export function startTaskClock(): number {
  track();
  return performance.now();
}

/** Visible seconds since `shownAt`, for `clientSeconds`. */
export const activeSecondsSince = (shownAt: number) => visibleMs(shownAt, performance.now(), spans) / 1000;
