import { describe, expect, it } from "vitest";
import { annotatorQuality, median, type AnnotatorQuality, type JudgementRecord } from "./annotator-quality";
import { createRng, uniformInt } from "./random";

const rec = (
  annotator: string,
  secondsOnTask: number,
  outcome: JudgementRecord["outcome"],
  correct?: boolean,
): JudgementRecord => ({ annotator, secondsOnTask, outcome, ...(correct === undefined ? {} : { gold: { correct } }) });

// Project judgements (skips excluded) in seconds: ann 10, 12, 30, 8; bob 1.5, 3, 40, 2.5, 20
// → sorted 1.5 2.5 3 8 10 12 20 30 40, median 10; fast threshold max(2, 2.5) = 2.5 s.
const records: JudgementRecord[] = [
  rec("ann", 10, "left", true),
  rec("ann", 12, "right"),
  rec("ann", 30, "tie", false),
  rec("ann", 8, "both_bad"),
  rec("ann", 0.5, "skip", true),
  rec("bob", 1.5, "left", true),
  rec("bob", 3, "tie"),
  rec("bob", 40, "tie", true),
  rec("bob", 2.5, "right", false),
  rec("bob", 20, "left", true),
  rec("bob", 1, "skip"),
  rec("bob", 1, "skip"),
];

describe("median", () => {
  it("takes the middle value, or the mean of the middle two", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe("annotatorQuality", () => {
  const report = annotatorQuality(records);
  const [ann, bob] = report.annotators;

  it("computes the project median and the documented fast threshold", () => {
    expect(report.projectMedianSeconds).toBe(10);
    expect(report.fastThresholdSeconds).toBe(2.5);
  });

  it("summarises each annotator by hand-counted values", () => {
    expect(ann).toEqual({
      annotator: "ann", records: 5, judgements: 4, medianSeconds: 11, goldJudged: 2, goldAccuracy: 0.5,
      tieShare: 0.25, bothBadShare: 0.25, skipShare: 0.2, fastJudgements: 0,
    });
    expect(bob).toEqual({
      annotator: "bob", records: 7, judgements: 5, medianSeconds: 3, goldJudged: 4, goldAccuracy: 0.75,
      tieShare: 0.4, bothBadShare: 0, skipShare: 2 / 7, fastJudgements: 1,
    });
  });

  it("uses the 2-second floor when the project median is short", () => {
    const quick = annotatorQuality([rec("a", 4, "left"), rec("a", 1.9, "left"), rec("a", 2, "right")]);
    expect(quick.fastThresholdSeconds).toBe(2);
    expect(quick.annotators[0].fastJudgements).toBe(1);
  });

  it("reports null rather than a number for what cannot be measured", () => {
    const onlySkips = annotatorQuality([rec("c", 3, "skip")], { fastFraction: 0.5, fastFloorSeconds: 1 });
    expect(onlySkips.projectMedianSeconds).toBeNull();
    expect(onlySkips.fastThresholdSeconds).toBe(1);
    expect(onlySkips.annotators[0]).toMatchObject({
      judgements: 0, medianSeconds: null, goldAccuracy: null, tieShare: null, skipShare: 1, fastJudgements: 0,
    });
  });
});

/** The straightforward summary (filters over each annotator's records), the reference for the tally-based one. */
function naiveReport(all: readonly JudgementRecord[]) {
  const judgedSeconds = all.filter((r) => r.outcome !== "skip").map((r) => r.secondsOnTask);
  const projectMedianSeconds = median(judgedSeconds);
  const fast = Math.max(2, 0.25 * (projectMedianSeconds ?? 0));
  const names = [...new Set(all.map((r) => r.annotator))].sort();
  const annotators = names.map((annotator): AnnotatorQuality => {
    const mine = all.filter((r) => r.annotator === annotator);
    const judged = mine.filter((r) => r.outcome !== "skip");
    const gold = judged.filter((r) => r.gold);
    const share = (n: number, of: number) => (of === 0 ? null : n / of);
    return {
      annotator, records: mine.length, judgements: judged.length, medianSeconds: median(judged.map((r) => r.secondsOnTask)),
      goldJudged: gold.length, goldAccuracy: share(gold.filter((r) => r.gold!.correct).length, gold.length),
      tieShare: share(judged.filter((r) => r.outcome === "tie").length, judged.length),
      bothBadShare: share(judged.filter((r) => r.outcome === "both_bad").length, judged.length),
      skipShare: (mine.length - judged.length) / mine.length, fastJudgements: judged.filter((r) => r.secondsOnTask < fast).length,
    };
  });
  return { projectMedianSeconds, fastThresholdSeconds: fast, annotators };
}

describe("annotatorQuality on random records", () => {
  it("equals the straightforward per-annotator filters", () => {
    const rng = createRng(5);
    const outcomes = ["left", "right", "tie", "both_bad", "skip"] as const;
    for (let trial = 0; trial < 10; trial++) {
      const all = Array.from({ length: 1 + uniformInt(rng, 300) }, () => {
        const gold = uniformInt(rng, 4) === 0 ? uniformInt(rng, 2) === 1 : undefined;
        // Seconds on a coarse grid so ties with the median and the fast threshold happen.
        return rec(`a${uniformInt(rng, 12)}`, uniformInt(rng, 40) / 4, outcomes[uniformInt(rng, 5)]!, gold);
      });
      expect(annotatorQuality(all)).toEqual(naiveReport(all));
    }
  });
});

