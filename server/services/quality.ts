import type { Db } from "../../db/client";
import { annotatorNames, loadRankings } from "./quality-data";
import { PairMatrix } from "./quality-matrix";
import { scanAgreementRows, type LabelCode } from "./quality-scan";
import { CoincidenceTally, FleissTally } from "./quality-tallies";

/**
 * Agreement of a project's annotators. Labels are taken relative to each task's canonical
 * completion order, never to what one annotator saw on the left, so annotators who saw
 * different display orders are compared on the same thing:
 * - nominal label (pair and correction tasks): "A", "B", … = which completion won (canonical
 *   position), or "tie" / "both_bad" (both-bad is its own answer, never a tie);
 * - strength-signed (pair tasks): +strength when A wins, −strength when B wins, 0 for a tie; on
 *   the ordinal scale −3..3 (both-bad is not on it and is left out);
 * - rankings: each (task, completion) is a unit whose values are the rank positions annotators
 *   gave it (0 = best), on an ordinal scale.
 * Statistics that are undefined (no overlap, no variation) are null, not NaN.
 *
 * A dashboard asks this of a million judgements, so nothing here is per-rating objects: one
 * SQL pass yields (task, annotator, label code, signed strength) task by task, and each task
 * feeds count tallies (Fleiss table, coincidence matrices, rater-pair cross tables) that the
 * counts-based entry points of stats/ turn into the same numbers as the ratings-based ones
 * (quality-reference.ts keeps the straightforward version; the tests hold the two equal).
 */

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
export const labelOf = (code: LabelCode): string => (code === 1 ? "both_bad" : code === 2 ? "tie" : String.fromCharCode(65 + code - 3));

/**
 * The statistics fed task by task; `flush` hands one task's buffered rows to each. Buffers are
 * reused with explicit sizes (shrinking a JS array's length per task was a visible cost).
 */
class ProjectTallies {
  readonly fleiss = new FleissTally();
  readonly strength = new CoincidenceTally();
  readonly matrix = new PairMatrix(String);
  judgements = 0;
  private task = -1;
  private nominal = 0;
  private readonly labels: number[] = [];
  private readonly raters: number[] = [];
  private signedCount = 0;
  private readonly signed: number[] = [];
  private readonly distinctRaters: number[] = [];
  private readonly raterCodes: number[] = [];

  add(taskId: number, annotatorId: number, label: LabelCode, signed: number | null): void {
    if (taskId !== this.task) (this.flush(), (this.task = taskId));
    this.judgements += 1;
    if (label !== 0) (this.labels[this.nominal] = label), (this.raters[this.nominal++] = annotatorId);
    if (signed !== null) this.signed[this.signedCount++] = signed;
  }

  /** The matrix sees each rater once per task (a later answer replaces an earlier one). */
  flush(): void {
    this.fleiss.addUnit(this.labels, this.nominal);
    this.strength.addUnit(this.signed, this.signedCount);
    const { distinctRaters: raters, raterCodes: codes } = this;
    let distinct = 0;
    for (let i = 0; i < this.nominal; i++) {
      let at = 0;
      while (at < distinct && raters[at] !== this.raters[i]) at++;
      if (at === distinct) raters[distinct++] = this.raters[i]!;
      codes[at] = this.labels[i]!;
    }
    this.matrix.addItem(raters, codes, distinct);
    this.nominal = this.signedCount = 0;
  }
}

/** Ordinal alpha over rank positions: one unit per (task, completion), in first-seen order. */
function rankingAlpha(db: Db, projectId: number): CoincidenceTally {
  const tally = new CoincidenceTally();
  let task = -1;
  let units = new Map<number, number[]>();
  const flush = () => units.forEach((positions) => tally.addUnit(positions, positions.length));
  for (const { taskId, ranking } of loadRankings(db, projectId)) {
    if (taskId !== task) (flush(), (task = taskId), (units = new Map()));
    ranking.forEach((group, position) => group.forEach((id) => (units.get(id) ?? units.set(id, []).get(id)!).push(position)));
  }
  flush();
  return tally;
}

function alphaSummary(tally: CoincidenceTally) {
  const r = tally.ordinalAlpha();
  return r && { alpha: finite(r.alpha), units: r.units, pairableValues: r.pairableValues };
}

/** minShared: fewest shared items for a rater pair's kappa (default 5); packed: see scanAgreementRows. */
export function projectAgreement(db: Db, projectId: number, options: { minShared?: number; packed?: boolean } = {}) {
  const tallies = new ProjectTallies();
  scanAgreementRows(db, projectId, (t, a, l, s) => tallies.add(t, a, l, s), { packed: options.packed });
  tallies.flush();
  const fleiss = tallies.fleiss.result(labelOf);
  const matrix = tallies.matrix.result(options.minShared ?? 5, labelOf);
  const kappas = matrix.pairs.map((p) => p.kappa).filter(Number.isFinite);
  const names = annotatorNames(db);
  const who = (rater: string) => ({ id: Number(rater), username: names.get(Number(rater))?.username ?? "?" });
  return {
    judgements: tallies.judgements,
    tasksWithOverlap: tallies.fleiss.units,
    /** Mean Cohen's kappa over annotator pairs sharing at least minShared items (Light's kappa). */
    cohen: { meanKappa: kappas.length ? kappas.reduce((s, k) => s + k, 0) / kappas.length : null, pairs: kappas.length },
    fleiss: fleiss && { kappa: finite(fleiss.kappa), observedAgreement: fleiss.observedAgreement, expectedAgreement: fleiss.expectedAgreement, items: fleiss.items },
    krippendorffStrength: alphaSummary(tallies.strength),
    krippendorffRanking: alphaSummary(rankingAlpha(db, projectId)),
    matrix: {
      annotators: matrix.raters.map(who),
      pairs: matrix.pairs.map((p) => ({ a: Number(p.a), b: Number(p.b), shared: p.shared, percentAgreement: p.percentAgreement, kappa: finite(p.kappa) })),
    },
  };
}

export type ProjectAgreement = ReturnType<typeof projectAgreement>;
