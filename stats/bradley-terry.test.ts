import { describe, expect, it } from "vitest";
import { aggregateJudgements, pairTable, type Outcome, type PolicyJudgement } from "./bradley-terry-data";
import { fitNewton, gradientAndHessian, logLikelihood } from "./bradley-terry-fit";
import { fitMm } from "./bradley-terry-mm";
import { ELO_PER_LOGIT, leaderboard, leaderboardFromCells } from "./bradley-terry";
import { createRng, uniformInt, type Rng } from "./random";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Judgements drawn from a Bradley-Terry model with known log-strengths (plus some both-bad). */
function simulate(rng: Rng, theta: number[], count: number, tieRate = 0, bothBadRate = 0): PolicyJudgement[] {
  const out: PolicyJudgement[] = [];
  for (let k = 0; k < count; k++) {
    const i = uniformInt(rng, theta.length);
    const j = (i + 1 + uniformInt(rng, theta.length - 1)) % theta.length;
    const u = rng();
    let outcome: Outcome = rng() < sigmoid(theta[i] - theta[j]) ? "a" : "b";
    if (u < bothBadRate) outcome = "both_bad";
    else if (u < bothBadRate + tieRate) outcome = "tie";
    out.push({ a: `p${String(i).padStart(2, "0")}`, b: `p${String(j).padStart(2, "0")}`, outcome });
  }
  return out;
}

/** The log-likelihood summed judgement by judgement, no aggregation: the reference. */
function naiveLogLikelihood(judgements: PolicyJudgement[], theta: Map<string, number>, priorWins: number): number {
  let total = 0;
  for (const { a, b, outcome } of judgements) {
    const p = sigmoid(theta.get(a)! - theta.get(b)!);
    if (outcome === "a") total += Math.log(p);
    if (outcome === "b") total += Math.log(1 - p);
    if (outcome === "tie") total += 0.5 * Math.log(p) + 0.5 * Math.log(1 - p);
  }
  for (const t of theta.values()) total += priorWins * (Math.log(sigmoid(t)) + Math.log(sigmoid(-t)));
  return total;
}

describe("aggregation and likelihood", () => {
  const rng = createRng(21);
  const judgements = simulate(rng, [0, 0.5, -0.7, 1.2], 400, 0.1, 0.05);
  const cells = aggregateJudgements(judgements);
  const theta = Float64Array.from([0.3, -0.2, 0.9, -1.1]);

  it("the aggregated log-likelihood equals the judgement-by-judgement sum", () => {
    const map = new Map(cells.policies.map((p, i) => [p, theta[i]]));
    expect(logLikelihood(pairTable(cells), theta, 0.1)).toBeCloseTo(naiveLogLikelihood(judgements, map, 0.1), 9);
  });

  it("the analytic gradient and Hessian match central finite differences", () => {
    const table = pairTable(cells);
    const { gradient, hessian } = gradientAndHessian(table, theta, 0.1);
    const h = 1e-5;
    for (let i = 0; i < 4; i++) {
      const shifted = (delta: number, k: number) => theta.map((t, m) => (m === k ? t + delta : t));
      const fd = (logLikelihood(table, shifted(h, i), 0.1) - logLikelihood(table, shifted(-h, i), 0.1)) / (2 * h);
      expect(gradient[i]).toBeCloseTo(fd, 5);
      for (let j = 0; j < 4; j++) {
        const gPlus = gradientAndHessian(table, shifted(h, j), 0.1).gradient[i];
        const gMinus = gradientAndHessian(table, shifted(-h, j), 0.1).gradient[i];
        expect(hessian[i * 4 + j]).toBeCloseTo(-(gPlus - gMinus) / (2 * h), 4);
      }
    }
  });

  it("a count column stands for repeated rows, and (a, b, 'a') is (b, a, 'b')", () => {
    const repeated: PolicyJudgement[] = [...Array(3).fill({ a: "x", b: "y", outcome: "a" }), { a: "y", b: "x", outcome: "b" }];
    const grouped = aggregateJudgements([{ a: "x", b: "y", outcome: "a", count: 4 }]);
    expect(aggregateJudgements(repeated)).toEqual(grouped);
    expect(() => aggregateJudgements([{ a: "x", b: "x", outcome: "a" }])).toThrow(/itself/);
  });
});

describe("MM and Newton", () => {
  it("agree to 1e-6 on generated data with ties and both-bad (default prior)", () => {
    const judgements = simulate(createRng(5), [0, 1, -1, 0.4, 2, -0.3, 0.8, -1.6], 3000, 0.1, 0.05);
    const cells = aggregateJudgements(judgements);
    const newton = fitNewton(pairTable(cells), cells.policies.length);
    const mm = fitMm(pairTable(cells), cells.policies.length);
    expect(newton.converged && mm.converged).toBe(true);
    newton.theta.forEach((t, i) => expect(Math.abs(t - mm.theta[i])).toBeLessThan(1e-6));
  });

  it("agree to 1e-6 on a disconnected graph with an undefeated policy (the prior keeps it finite)", () => {
    const cells = aggregateJudgements([
      { a: "A", b: "B", outcome: "a", count: 30 },
      { a: "A", b: "B", outcome: "b", count: 10 },
      { a: "C", b: "D", outcome: "b", count: 20 },
      { a: "C", b: "D", outcome: "tie", count: 5 },
      { a: "E", b: "A", outcome: "a", count: 7 },
    ]);
    const newton = fitNewton(pairTable(cells), 5);
    const mm = fitMm(pairTable(cells), 5);
    expect(newton.converged && mm.converged).toBe(true);
    newton.theta.forEach((t, i) => expect(Math.abs(t - mm.theta[i])).toBeLessThan(1e-6));
    expect(Math.max(...newton.theta)).toBe(newton.theta[4]); // E, never beaten
  });

  it("agree to 1e-6 on the plain MLE (no prior, anchored) and the gradient vanishes there", () => {
    const cells = aggregateJudgements(simulate(createRng(6), [0, 0.7, -0.4, 1.1, -0.9], 1500, 0.05));
    const table = pairTable(cells);
    const newton = fitNewton(table, 5, { priorWins: 0, anchor: 2 });
    const mm = fitMm(table, 5, { priorWins: 0, anchor: 2 });
    expect(newton.theta[2]).toBe(0);
    newton.theta.forEach((t, i) => expect(Math.abs(t - mm.theta[i])).toBeLessThan(1e-6));
    gradientAndHessian(table, newton.theta, 0).gradient.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-8));
  });

  it("two players: the MLE log-odds is log(wins / losses), ties counted as halves", () => {
    const rows: PolicyJudgement[] = [
      { a: "A", b: "B", outcome: "a", count: 6 },
      { a: "A", b: "B", outcome: "b", count: 2 },
      { a: "B", b: "A", outcome: "tie", count: 2 },
      { a: "A", b: "B", outcome: "both_bad", count: 9 },
    ];
    const cells = aggregateJudgements(rows);
    for (const fit of [fitNewton, fitMm]) {
      const { theta } = fit(pairTable(cells), 2, { priorWins: 0, anchor: 1 });
      expect(theta[0] - theta[1]).toBeCloseTo(Math.log(7 / 3), 9);
    }
    const board = leaderboard(rows, { base: "B", priorWins: 0, bootstraps: 0 });
    expect(board[0]).toMatchObject({ policy: "A", judgements: 19, wins: 6, losses: 2, ties: 2, bothBad: 9 });
    expect(board[0].rating).toBeCloseTo(1000 + 400 * Math.log10(7 / 3), 9);
    expect(board[1]).toMatchObject({ policy: "B", rating: 1000, wins: 2, losses: 6 });
  });
});

describe("leaderboard", () => {
  it("recovers known strengths within their 95% bootstrap intervals", () => {
    const truth = [0, 0.9, -0.6, 0.3, 1.5, -1.2, 0.6, -0.2, 1.1, -0.9, 0.1, 0.4];
    const judgements = simulate(createRng(8), truth, 20_000, 0, 0.05);
    const rows = leaderboard(judgements, { base: "p00", seed: 3 });
    let covered = 0;
    for (const row of rows) {
      const expected = 1000 + ELO_PER_LOGIT * truth[Number(row.policy.slice(1))];
      if (row.ciLow <= expected && expected <= row.ciHigh) covered++;
      expect(Math.abs(row.rating - expected)).toBeLessThan(60);
      expect(row.ciLow).toBeLessThanOrEqual(row.rating);
      expect(row.ciHigh).toBeGreaterThanOrEqual(row.rating);
    }
    expect(covered).toBeGreaterThanOrEqual(10); // 95% of 11 non-base rows is 10.45
    expect(rows.find((r) => r.policy === "p00")).toMatchObject({ rating: 1000, ciLow: 1000, ciHigh: 1000 });
    expect(rows.map((r) => r.rating)).toEqual([...rows.map((r) => r.rating)].sort((x, y) => y - x));
  });

  it("both-bad judgements are reported but do not move ratings", () => {
    const base = simulate(createRng(9), [0, 1, -1], 300);
    const withBothBad = [...base, ...Array(50).fill({ a: "p01", b: "p02", outcome: "both_bad" })];
    const plain = leaderboard(base, { bootstraps: 0 });
    const reported = leaderboard(withBothBad, { bootstraps: 0 });
    reported.forEach((row, i) => expect(row.rating).toBeCloseTo(plain[i].rating, 9));
    expect(reported.find((r) => r.policy === "p01")!.bothBad).toBe(50);
  });

  it("an undefeated policy gets a finite, top rating with a wide interval", () => {
    const judgements: PolicyJudgement[] = [
      { a: "champ", b: "base", outcome: "a", count: 8 },
      { a: "base", b: "other", outcome: "a", count: 5 },
      { a: "other", b: "base", outcome: "a", count: 5 },
    ];
    const rows = leaderboard(judgements, { base: "base", bootstraps: 200 });
    expect(rows[0].policy).toBe("champ");
    expect(Number.isFinite(rows[0].rating) && rows[0].rating > 1300).toBe(true);
    expect(rows[0].ciHigh - rows[0].ciLow).toBeGreaterThan(0);
    // Without the prior the MLE does not exist: Newton keeps climbing and says so.
    const cells = aggregateJudgements([{ a: "champ", b: "base", outcome: "a", count: 8 }]);
    expect(fitNewton(pairTable(cells), 2, { priorWins: 0, anchor: 0, maxIterations: 30 }).converged).toBe(false);
  });

  it("flags policies with no comparison path to the base, and lists unjudged ones", () => {
    const rows = leaderboard(
      [{ a: "A", b: "B", outcome: "a", count: 3 }, { a: "C", b: "D", outcome: "b", count: 3 }, { a: "C", b: "E", outcome: "both_bad" }],
      { base: "A", policies: ["F"], bootstraps: 50 },
    );
    const byName = new Map(rows.map((r) => [r.policy, r]));
    expect(["A", "B"].map((p) => byName.get(p)!.connectedToBase)).toEqual([true, true]);
    expect(["C", "D", "E", "F"].map((p) => byName.get(p)!.connectedToBase)).toEqual([false, false, false, false]);
    rows.forEach((r) => expect(Number.isFinite(r.rating)).toBe(true));
    expect(byName.get("F")!.judgements).toBe(0);
  });

  it("lists a base no judgement mentions at 1000 with no games, unconnected to the judged policies", () => {
    const alone = { policy: "nobody", rating: 1000, ciLow: 1000, ciHigh: 1000, judgements: 0, wins: 0, losses: 0, ties: 0, bothBad: 0, connectedToBase: true };
    expect(leaderboard([], { base: "nobody", policies: [] })).toEqual([alone]);
    const rows = leaderboard([{ a: "A", b: "B", outcome: "a", count: 3 }], { base: "nobody", bootstraps: 20 });
    expect(rows.find((r) => r.policy === "nobody")).toEqual(alone);
    expect(rows.filter((r) => r.policy !== "nobody").map((r) => [r.policy, r.connectedToBase])).toEqual([["A", false], ["B", false]]);
    // Cells built without the base have no row to anchor: that is an error naming it, not a silent default.
    expect(() => leaderboardFromCells(aggregateJudgements([{ a: "A", b: "B", outcome: "a" }]), { base: "nobody" })).toThrow('base policy "nobody" has no judgements');
  });
});
