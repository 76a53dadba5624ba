/**
 * Early stopping on validation loss: remember the best evaluation, stop after `patience`
 * evaluations without an improvement larger than `minDelta`. The caller keeps the best
 * weights (or checkpoint) whenever `update` says "improved".
 */
export type StoppingDecision = "improved" | "continue" | "stop";

export class EarlyStopping {
  bestLoss = Number.POSITIVE_INFINITY;
  bestStep = -1;
  /** Evaluations since the best one (saved with a checkpoint so a resumed run keeps counting). */
  sinceBest = 0;

  constructor(
    /** Evaluations without improvement tolerated before stopping. */
    readonly patience: number,
    /** Improvement smaller than this is noise, not progress. */
    readonly minDelta = 0,
  ) {}

  update(validationLoss: number, step: number): StoppingDecision {
    if (Number.isNaN(validationLoss)) return "stop"; // a diverged run will not recover
    if (validationLoss < this.bestLoss - this.minDelta) {
      this.bestLoss = validationLoss;
      this.bestStep = step;
      this.sinceBest = 0;
      return "improved";
    }
    this.sinceBest++;
    return this.sinceBest >= this.patience ? "stop" : "continue";
  }
}
