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

function summarise(annotator: string, records: readonly JudgementRecord[], fastBelow: number): AnnotatorQuality {
  const judged = records.filter((r) => r.outcome !== "skip");
  const gold = judged.filter((r) => r.gold !== undefined);
  const count = (outcome: JudgementOutcome) => judged.filter((r) => r.outcome === outcome).length;
  return {
    annotator,
    records: records.length,
    judgements: judged.length,
    medianSeconds: median(judged.map((r) => r.secondsOnTask)),
    goldJudged: gold.length,
    goldAccuracy: share(gold.filter((r) => r.gold!.correct).length, gold.length),
    tieShare: share(count("tie"), judged.length),
    bothBadShare: share(count("both_bad"), judged.length),
    skipShare: (records.length - judged.length) / records.length,
    fastJudgements: judged.filter((r) => r.secondsOnTask < fastBelow).length,
  };
}

/** Quality summary of every annotator in `records`, with the project-wide fast threshold. */
export function annotatorQuality(records: readonly JudgementRecord[], options: QualityOptions = {}): QualityReport {
  const { fastFraction = 0.25, fastFloorSeconds = 2 } = options;
  const projectMedianSeconds = median(records.filter((r) => r.outcome !== "skip").map((r) => r.secondsOnTask));
  const fastThresholdSeconds = Math.max(fastFloorSeconds, fastFraction * (projectMedianSeconds ?? 0));
  const byAnnotator = new Map<string, JudgementRecord[]>();
  for (const r of records) {
    const list = byAnnotator.get(r.annotator);
    if (list) list.push(r);
    else byAnnotator.set(r.annotator, [r]);
  }
  const annotators = [...byAnnotator.keys()]
    .sort()
    .map((name) => summarise(name, byAnnotator.get(name)!, fastThresholdSeconds));
  return { projectMedianSeconds, fastThresholdSeconds, annotators };
}
