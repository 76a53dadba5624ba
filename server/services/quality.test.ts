import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { agreementMatrix, type Rating } from "../../stats/agreement";
import { createRng, shuffle, uniformInt } from "../../stats/random";
import { createCaller } from "../root";
import { createInnerContext } from "../trpc";
import type { SessionUser } from "./auth";
import { pickNextTask } from "./assignment";
import { submitJudgement, type JudgementAnswer } from "./judgements";
import { skipTask } from "./judgements-actions";
import { pairwiseAgreement } from "./quality-matrix";
import { createPairTasks, createRankTasks } from "./tasks";
import { addPrompt, addUser, labelingDb } from "./tasks-fixtures";

const T0 = new Date("2026-03-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** Leases the next task and answers it in canonical terms: winner 0 = the task's first completion. */
function judge(db: Db, user: SessionUser, projectId: number, answer: { winner?: 0 | 1; tie?: true; strength?: number; ranking?: number[] }, seconds: number, clock: number) {
  const shown = pickNextTask(db, user.id, projectId, { now: at(clock) }).task!;
  const canonical = shown.completions.map((c) => c.id).sort((a, b) => a - b);
  let body: JudgementAnswer;
  if (answer.ranking) body = { kind: "rank", ranking: answer.ranking.map((i) => [canonical[i]!]) };
  else if (answer.tie) body = { kind: "pair", outcome: "tie" };
  else body = { kind: "pair", outcome: shown.completions[0]!.id === canonical[answer.winner!] ? "left" : "right", strength: answer.strength! };
  submitJudgement(db, user.id, { taskId: shown.taskId, idempotencyKey: `${user.id}-${shown.taskId}`, answer: body, clientSeconds: seconds }, at(clock + seconds));
}

/** Two annotators on four pair tasks and one rank task, answers chosen for hand-computable statistics. */
function ratedProject() {
  const { db, projectId } = labelingDb({ judgementsPerTask: 2 });
  for (let i = 0; i < 4; i++) {
    const p = addPrompt(db, projectId, 2, `pair prompt ${i}`);
    createPairTasks(db, projectId, [{ promptId: p.promptId, completionIds: p.completionIds }]);
  }
  const r = addPrompt(db, projectId, 3, "rank prompt");
  createRankTasks(db, projectId, [{ promptId: r.promptId, completionIds: r.completionIds }]);
  const [ann, bob] = [addUser(db, "ann"), addUser(db, "bob")];
  const script: Array<[SessionUser, Parameters<typeof judge>[3][]]> = [
    [ann, [{ winner: 0, strength: 2 }, { winner: 1, strength: 3 }, { winner: 0, strength: 1 }, { tie: true }, { ranking: [0, 1, 2] }]],
    [bob, [{ winner: 0, strength: 1 }, { winner: 1, strength: 3 }, { winner: 1, strength: 1 }, { tie: true }, { ranking: [0, 2, 1] }]],
  ];
  script.forEach(([user, answers], u) => answers.forEach((a, i) => judge(db, user, projectId, a, u === 0 ? 10 + i : 1, 100 * i)));
  return { db, projectId, ann, bob };
}

describe("project agreement", () => {
  it("matches hand-computed Cohen, Fleiss and ordinal Krippendorff values", async () => {
    const { db, projectId } = ratedProject();
    const researcher = addUser(db, "res", "researcher");
    const quality = createCaller(createInnerContext({ db, user: researcher }));
    const result = await quality.quality.projectAgreement({ projectId, minShared: 1 });
    // Canonical labels ann: A B A tie, bob: A B B tie. p_o = 3/4, p_e = 5/16 → κ = 7/11.
    expect(result.cohen.meanKappa).toBeCloseTo(7 / 11, 12);
    expect(result.matrix.pairs).toEqual([{ a: expect.any(Number), b: expect.any(Number), shared: 4, percentAgreement: 0.75, kappa: expect.closeTo(7 / 11, 12) }]);
    expect(result.matrix.annotators.map((a) => a.username).sort()).toEqual(["ann", "bob"]);
    // Fleiss: P̄ = 3/4, P_e = (3/8)² + (3/8)² + (2/8)² = 22/64 → κ = 13/21.
    expect(result.fleiss!.kappa).toBeCloseTo(13 / 21, 12);
    // Signed strengths {2,1} {-3,-3} {1,-1} {0,0}: D_o = 29/8, D_e = 648/56 → α = 445/648.
    expect(result.krippendorffStrength!.alpha).toBeCloseTo(445 / 648, 12);
    // Rank positions x {0,0}, y {1,2}, z {2,1}: D_o = 8/3, D_e = 32/5 → α = 7/12.
    expect(result.krippendorffRanking!.alpha).toBeCloseTo(7 / 12, 12);
    expect(result).toMatchObject({ judgements: 10, tasksWithOverlap: 4 });
  });

  it("reports null, not NaN, when nobody overlaps", async () => {
    const { db, projectId } = labelingDb();
    const researcher = addUser(db, "res", "researcher");
    const result = await createCaller(createInnerContext({ db, user: researcher })).quality.projectAgreement({ projectId });
    expect(result).toMatchObject({ judgements: 0, cohen: { meanKappa: null, pairs: 0 }, fleiss: null, krippendorffStrength: null, krippendorffRanking: null });
  });
});

describe("annotator quality and project progress", () => {
  it("reports per-annotator counts, median time, tie and skip shares, gold accuracy and fast answers", async () => {
    const { db, projectId, ann, bob } = ratedProject();
    const g = addPrompt(db, projectId, 2, "gold prompt");
    createPairTasks(db, projectId, [{ promptId: g.promptId, completionIds: g.completionIds, goldAnswer: { winner: g.completionIds[1]! } }]);
    judge(db, ann, projectId, { winner: 1, strength: 3 }, 20, 1000);
    const extra = addPrompt(db, projectId, 2, "skipped prompt");
    createPairTasks(db, projectId, [{ promptId: extra.promptId, completionIds: extra.completionIds }]);
    skipTask(db, bob.id, { taskId: pickNextTask(db, bob.id, projectId, { now: at(2000) }).task!.taskId, reason: "not sure" });
    const researcher = addUser(db, "res", "researcher");
    const report = await createCaller(createInnerContext({ db, user: researcher })).quality.annotators({ projectId });
    // ann: 10, 11, 12, 13, 14, 20 s; bob: five 1 s answers → project median 10 s, too fast below max(2, 0.25 × 10) s.
    expect(report).toMatchObject({ projectMedianSeconds: 10, fastThresholdSeconds: 2.5 });
    const byName = Object.fromEntries(report.annotators.map((a) => [a.username, a]));
    expect(byName.ann).toMatchObject({ judgements: 6, records: 6, medianSeconds: 12.5, goldJudged: 1, goldAccuracy: 1, tieShare: 1 / 6, skipShare: 0, fastJudgements: 0 });
    expect(byName.bob).toMatchObject({ judgements: 5, records: 6, medianSeconds: 1, goldJudged: 0, goldAccuracy: null, tieShare: 1 / 5, skipShare: 1 / 6, fastJudgements: 5 });
  });

  it("counts tasks by status and judgements per day", async () => {
    const { db, projectId } = ratedProject();
    const researcher = addUser(db, "res", "researcher");
    const progress = await createCaller(createInnerContext({ db, user: researcher })).quality.projectProgress({ projectId });
    expect(progress).toMatchObject({ tasks: { open: 0, complete: 5, flagged: 0, retired: 0 }, totalTasks: 5, goldTasks: 0, judgementsNeeded: 0, humanJudgements: 10, skipped: 0 });
    expect(progress.perDay).toEqual([{ day: "2026-03-01", judgements: 10 }]);
  });
});

describe("pairwise agreement matrix", () => {
  it("equals the stats module's rater-by-rater matrix on random overlapping ratings", () => {
    const rng = createRng(3);
    const ratings: Rating[] = [];
    for (let item = 0; item < 400; item++) {
      const raters = shuffle(rng, Array.from({ length: 7 }, (_, i) => `r${i}`)).slice(0, 2 + uniformInt(rng, 3));
      for (const rater of raters) ratings.push({ item: `t${item}`, rater, value: ["A", "B", "tie", "both_bad"][uniformInt(rng, 4)]! });
    }
    for (const minShared of [1, 5, 60]) {
      const reference = agreementMatrix(ratings, { minShared });
      const ours = pairwiseAgreement(ratings, minShared);
      expect(ours.raters).toEqual(reference.raters);
      expect(ours.pairs).toEqual(reference.pairs);
    }
  });
});
