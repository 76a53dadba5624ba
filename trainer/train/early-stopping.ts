// Early stopping on a held-out metric: remember the best evaluation, stop after `patience`
// evaluations without an improvement larger than `minDelta`. The loop keeps the best model
// whenever `update` says "improved".

export interface EarlyStoppingConfig {
  /** The evaluation metric selected on (a validation-split metric, never the test split's). */
  metric: string;
  /** "min" for losses, "max" for accuracies. */
  mode: "min" | "max";
  /** Evaluations without improvement tolerated before stopping. */
  patience: number;
  /** An improvement smaller than this is noise, not progress. */
  minDelta?: number;
}

export type StoppingDecision = "improved" | "continue" | "stop";

/** What a checkpoint stores so a resumed run keeps counting where it was. */
export interface EarlyStoppingState {
  best: number | null;
  bestStep: number;
  sinceBest: number;
}

export class EarlyStopping {
  best = Number.NaN;
  bestStep = -1;
  sinceBest = 0;

  constructor(readonly config: EarlyStoppingConfig) {}

  private better(value: number): boolean {
    if (Number.isNaN(this.best)) return true;
    const delta = this.config.minDelta ?? 0;
    return this.config.mode === "min" ? value < this.best - delta : value > this.best + delta;
  }

  update(value: number, step: number): StoppingDecision {
    if (!Number.isFinite(value)) return "stop"; // a diverged run will not recover
    if (this.better(value)) {
      [this.best, this.bestStep, this.sinceBest] = [value, step, 0];
      return "improved";
    }
    this.sinceBest++;
    return this.sinceBest >= this.config.patience ? "stop" : "continue";
  }

  state(): EarlyStoppingState {
    return { best: Number.isNaN(this.best) ? null : this.best, bestStep: this.bestStep, sinceBest: this.sinceBest };
  }

  restore(s: EarlyStoppingState): void {
    [this.best, this.bestStep, this.sinceBest] = [s.best ?? Number.NaN, s.bestStep, s.sinceBest];
  }
}
