// Per-annotator quality summary for the dashboard: how much each person labelled, how fast,
// how often they were right on gold items, and how often they took the easy ways out (tie,
// skip) or answered implausibly fast. Pure function over judgement records; no DB.
//
// Definitions (all documented here because the dashboard shows them without footnotes):
// - A "judgement" is any record that is not a skip. Skips are counted separately and are left
//   out of timing, tie share and gold accuracy: a skip is not an answer.
// - both_bad is its own outcome, never counted as a tie.
// - Suspiciously fast: a judgement taking less than max(fastFloorSeconds, fastFraction × the
//   project's median seconds per judgement), i.e. under 2 s or under 25% of the median by
//   default. Reading two completions takes time; answers faster than that are rarely real.

export type JudgementOutcome = "left" | "right" | "tie" | "both_bad" | "skip";

export interface JudgementRecord {
  annotator: string;
  secondsOnTask: number;
  outcome: JudgementOutcome;
  /** Present on gold items (known answer): whether this judgement matched it. */
  gold?: { correct: boolean };
}

export interface QualityOptions {
  /** Share of the project median below which a judgement counts as too fast (default 0.25). */
  fastFraction?: number;
  /** Absolute floor in seconds: anything faster is too fast whatever the median (default 2). */
  fastFloorSeconds?: number;
}

export interface AnnotatorQuality {
  annotator: string;
  /** All records including skips. */
  records: number;
  /** Records that are not skips. */
  judgements: number;
  /** Median seconds per judgement; null with no judgements. */
  medianSeconds: number | null;
  goldJudged: number;
  /** Correct gold answers / gold judgements; null when this annotator saw no gold item. */
  goldAccuracy: number | null;
  /** Ties / judgements (null with no judgements). */
  tieShare: number | null;
  /** both_bad / judgements (null with no judgements). */
  bothBadShare: number | null;
  /** Skips / records. */
  skipShare: number;
  /** Judgements faster than the project's fast threshold. */
  fastJudgements: number;
}

export interface QualityReport {
  /** Median seconds over every judgement in the project; null with none. */
  projectMedianSeconds: number | null;
  /** Judgements strictly faster than this are counted as suspiciously fast. */
  fastThresholdSeconds: number;
  /** One row per annotator, sorted by name. */
  annotators: AnnotatorQuality[];
}

/** Median of a list (mean of the middle two for even lengths); null for an empty list. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const share = (count: number, of: number): number | null => (of === 0 ? null : count / of);

/**
 * What one annotator's records add up to, the counts-based input of annotatorQualityFromTallies:
 * a caller that aggregates a million judgements in SQL or in a typed loop fills these directly
 * instead of building one record object per judgement.
 */
export interface AnnotatorTally {
  annotator: string;
  /** Seconds of every judgement (skips excluded); sorted ascending in place by the report. */
  seconds: Float64Array;
  ties: number;
  bothBad: number;
  goldJudged: number;
  goldCorrect: number;
  skips: number;
}

/** Median of an ascending array; null when empty. */
function sortedMedian(sorted: Float64Array): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How many entries of an ascending array are strictly below `limit` (binary search). */
function countBelow(sorted: Float64Array, limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function summarise(t: AnnotatorTally, fastBelow: number): AnnotatorQuality {
  const judged = t.seconds.length;
  const records = judged + t.skips;
  return {
    annotator: t.annotator,
    records,
    judgements: judged,
    medianSeconds: sortedMedian(t.seconds),
    goldJudged: t.goldJudged,
    goldAccuracy: share(t.goldCorrect, t.goldJudged),
    tieShare: share(t.ties, judged),
    bothBadShare: share(t.bothBad, judged),
    skipShare: t.skips / records,
    fastJudgements: countBelow(t.seconds, fastBelow),
  };
}

/**
 * The report from per-annotator tallies. Each annotator's seconds are sorted once (typed-array
 * sort, no comparator); the project median sorts one merged copy; the fast counts are binary
 * searches in the sorted lists, so a million judgements cost two sorts, not one per statistic.
 */
export function annotatorQualityFromTallies(tallies: readonly AnnotatorTally[], options: QualityOptions = {}): QualityReport {
  const { fastFraction = 0.25, fastFloorSeconds = 2 } = options;
  const all = new Float64Array(tallies.reduce((s, t) => s + t.seconds.length, 0));
  let offset = 0;
  for (const t of tallies) {
    t.seconds.sort();
    all.set(t.seconds, offset);
    offset += t.seconds.length;
  }
  const projectMedianSeconds = sortedMedian(all.sort());
  const fastThresholdSeconds = Math.max(fastFloorSeconds, fastFraction * (projectMedianSeconds ?? 0));
  const annotators = [...tallies]
    .sort((a, b) => (a.annotator < b.annotator ? -1 : a.annotator > b.annotator ? 1 : 0))
    .map((t) => summarise(t, fastThresholdSeconds));
  return { projectMedianSeconds, fastThresholdSeconds, annotators };
}

/** Quality summary of every annotator in `records`, with the project-wide fast threshold. */
export function annotatorQuality(records: readonly JudgementRecord[], options: QualityOptions = {}): QualityReport {
  const byAnnotator = new Map<string, { tally: AnnotatorTally; seconds: number[] }>();
  for (const r of records) {
    let entry = byAnnotator.get(r.annotator);
    if (!entry) {
      const tally = { annotator: r.annotator, seconds: new Float64Array(0), ties: 0, bothBad: 0, goldJudged: 0, goldCorrect: 0, skips: 0 };
      byAnnotator.set(r.annotator, (entry = { tally, seconds: [] }));
    }
    const t = entry.tally;
    if (r.outcome === "skip") {
      t.skips += 1;
      continue;
    }
    entry.seconds.push(r.secondsOnTask);
    if (r.outcome === "tie") t.ties += 1;
    if (r.outcome === "both_bad") t.bothBad += 1;
    if (r.gold) (t.goldJudged += 1), (t.goldCorrect += r.gold.correct ? 1 : 0);
  }
  const tallies = [...byAnnotator.values()].map(({ tally, seconds }) => ({ ...tally, seconds: Float64Array.from(seconds) }));
  return annotatorQualityFromTallies(tallies, options);
}
