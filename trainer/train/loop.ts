// THE training loop. Every trainer (language modelling, reward models, DPO and family, KTO) is an
// Objective plugged into it: a trainable set of variables, a deterministic batch per step, a
// differentiable loss with its metrics, held-out evaluation and a way to save the model. The loop
// owns everything else: stepping with the schedule, progress rows with ETA, evaluation, early
// stopping, checkpoints (write the new one, record it, only then delete the old one), cancellation
// and resume.
import * as tf from "@tensorflow/tfjs-core";
import { paramGrads } from "./lm-step";
import type { AdamW } from "./optimizer";
import { learningRateAt } from "./schedule";
import { bestModelDir, checkpointDir, finalModelDir, removeDir } from "./run-dirs";
import { loadLoopState, saveLoopState, type LoopState } from "./loop-state";
import { EarlyStopping, type EarlyStoppingConfig } from "./early-stopping";

export interface StepResult {
  loss: number;
  gradNorm: number;
  metrics: Record<string, number>;
}

export interface Objective<B> {
  /** What the optimizer updates (a frozen base, e.g. under LoRA, is simply not listed). */
  trainable: Record<string, tf.Variable>;
  /** The batch of step `step`: a function of the step alone, so a resumed run sees the same batches. */
  batch(step: number): B;
  /** Differentiable mean loss of a batch, and metric scalars logged beside it (not differentiated). */
  loss?(batch: B): { loss: tf.Scalar; metrics?: Record<string, tf.Scalar | number> };
  /** Replaces the default gradient step (data-parallel threads; online RL's rollout + update). */
  step?(batch: B, lr: number, optimizer: AdamW, step: number): Promise<StepResult>;
  /** Held-out metrics of the current weights (the validation split: what early stopping reads). */
  evaluate?(): Record<string, number> | Promise<Record<string, number>>;
  /** Writes the model as a loadable checkpoint directory. */
  save(dir: string): void;
  /** Extra resumable state (e.g. LoRA adapters) written beside the optimizer's. */
  saveState?(dir: string): void;
  /** Tokens one step trains on, for tokens/s (optional). */
  tokensPerStep?(batch: B): number;
}

export interface ScheduleConfig {
  learningRate: number;
  minLearningRate: number;
  warmupSteps: number;
  /** Steps the cosine decay spans (≥ totalSteps when a step cap cuts an epoch-based schedule short). */
  maxSteps: number;
}

export interface LoopConfig {
  totalSteps: number;
  schedule: ScheduleConfig;
  /** Evaluate every this many steps (0: only at the end). */
  evalInterval: number;
  /** Write a resumable checkpoint every this many steps (0: only at evaluations with early stopping). */
  checkpointInterval: number;
  /** Progress rows every this many steps. */
  progressInterval: number;
  /** Keep the best model by this held-out metric and stop after `patience` evaluations without a better one. */
  earlyStopping?: EarlyStoppingConfig;
  /** Wall-clock budget: the schedule then follows elapsed/limit so the learning rate still decays in time. */
  timeLimitSeconds?: number;
}

export interface ProgressRow {
  step: number;
  loss?: number;
  metrics?: Record<string, number>;
  tokensPerSecond?: number;
  etaSeconds?: number;
  message?: string;
}

/** What the loop reports to (a RunContext, or the CLI's printer). */
export interface LoopHooks {
  progress(row: ProgressRow): void;
  /** Called after a checkpoint directory is complete on disk, before the previous one is deleted. */
  checkpoint(dir: string, step: number): void;
  /** Throws to stop (cancellation); called between steps. */
  throwIfCancelled(): void;
}

export interface LoopOptions<B> {
  objective: Objective<B>;
  optimizer: AdamW;
  config: LoopConfig;
  runDir: string;
  hooks: LoopHooks;
  /** A checkpoint of this run to continue from (its weights are already in the objective). */
  resumeDir?: string | null;
}

export interface LoopResult {
  steps: number;
  /** The model the run produced: the best checkpoint under early stopping, else the last weights. */
  modelDir: string;
  /** Held-out metrics of that model (empty without an evaluate()). */
  metrics: Record<string, number>;
  /** The step whose weights `modelDir` holds (the best evaluation's under early stopping). */
  modelStep: number;
  /** The last training step's loss and metrics, as logged. */
  trainMetrics: Record<string, number>;
  stoppedEarly: boolean;
}

/** One gradient step on the objective's trainable variables; returns the loss before the update. */
export function defaultStep<B>(objective: Objective<B>, batch: B, lr: number, optimizer: AdamW): StepResult {
  if (!objective.loss) throw new Error("an objective needs a loss or its own step");
  const lossOf = objective.loss;
  return tf.tidy(() => {
    let metrics: Record<string, number> = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = lossOf(batch);
      // Read now: variableGrads disposes every tensor of the closure but the loss.
      metrics = Object.fromEntries(Object.entries(out.metrics ?? {}).map(([k, v]) => [k, typeof v === "number" ? v : v.dataSync()[0]!]));
      return out.loss;
    }, Object.values(objective.trainable));
    const loss = value.dataSync()[0]!;
    if (!Number.isFinite(loss)) return { loss, gradNorm: Number.NaN, metrics };
    const gradNorm = optimizer.step(objective.trainable, paramGrads(objective.trainable, grads), lr);
    return { loss, gradNorm, metrics };
  });
}

function divergedError(step: number, lr: number, loss: number): Error {
  return new Error(`the loss became ${loss} at step ${step + 1} (learning rate ${lr.toExponential(2)}): training diverged; lower the learning rate`);
}

/** Evaluates, updates early stopping and saves a new best model; true when training should stop. */
async function evaluate<B>(o: LoopOptions<B>, state: LoopState, stopping: EarlyStopping | null): Promise<{ stop: boolean; metrics: Record<string, number> }> {
  const metrics = (await o.objective.evaluate?.()) ?? {};
  state.lastMetrics = metrics;
  if (!stopping || !o.config.earlyStopping) return { stop: false, metrics };
  const value = metrics[o.config.earlyStopping.metric];
  if (value === undefined) throw new Error(`early stopping reads "${o.config.earlyStopping.metric}", which the evaluation does not report`);
  const decision = stopping.update(value, state.step);
  if (decision === "improved") {
    const dir = bestModelDir(o.runDir, state.step);
    o.objective.save(dir);
    const previous = state.best?.dir;
    state.best = { dir, step: state.step, metrics };
    if (previous && previous !== dir) removeDir(previous);
  }
  return { stop: decision === "stop", metrics };
}

/** Writes a resumable checkpoint, records it, then deletes the previous one. */
function checkpoint<B>(o: LoopOptions<B>, state: LoopState, stopping: EarlyStopping | null): void {
  const dir = checkpointDir(o.runDir, state.step);
  o.objective.save(dir);
  o.objective.saveState?.(dir);
  saveLoopState(dir, o.optimizer, state, stopping);
  o.hooks.checkpoint(dir, state.step);
  if (state.lastCheckpoint && state.lastCheckpoint !== dir) removeDir(state.lastCheckpoint);
  state.lastCheckpoint = dir;
}

/** Runs the objective to the end (or early stop, or time budget); throws on divergence or cancellation. */
export async function runTraining<B>(o: LoopOptions<B>): Promise<LoopResult> {
  const c = o.config;
  const stopping = c.earlyStopping ? new EarlyStopping(c.earlyStopping) : null;
  const state: LoopState = o.resumeDir ? loadLoopState(o.resumeDir, o.optimizer, stopping) : { step: 0, best: null, lastMetrics: {}, lastCheckpoint: null };
  if (o.resumeDir) state.lastCheckpoint = o.resumeDir;
  const t0 = Date.now();
  const firstStep = state.step;
  let tokens = 0;
  let stoppedEarly = false;
  let evaluatedAt = -1;
  let trainMetrics: Record<string, number> = {};
  while (state.step < c.totalSteps) {
    o.hooks.throwIfCancelled();
    const elapsed = (Date.now() - t0) / 1000;
    const scheduleStep = c.timeLimitSeconds ? Math.max(state.step, Math.floor((elapsed / c.timeLimitSeconds) * c.schedule.maxSteps)) : state.step;
    if (scheduleStep >= c.schedule.maxSteps) break;
    const lr = learningRateAt(scheduleStep, c.schedule);
    const batch = o.objective.batch(state.step);
    const result = o.objective.step ? await o.objective.step(batch, lr, o.optimizer, state.step) : defaultStep(o.objective, batch, lr, o.optimizer);
    if (!Number.isFinite(result.loss)) throw divergedError(state.step, lr, result.loss);
    state.step++;
    tokens += o.objective.tokensPerStep?.(batch) ?? 0;
    const secs = Math.max(1e-9, (Date.now() - t0) / 1000);
    const etaSeconds = c.timeLimitSeconds ? Math.max(0, c.timeLimitSeconds - secs) : (secs / (state.step - firstStep)) * (c.totalSteps - state.step);
    const row: ProgressRow = { step: state.step, loss: result.loss, metrics: { ...result.metrics, lr, grad_norm: result.gradNorm }, etaSeconds };
    if (tokens > 0) row.tokensPerSecond = tokens / secs;
    trainMetrics = { loss: result.loss, ...result.metrics };
    const evalNow = c.evalInterval > 0 && state.step % c.evalInterval === 0;
    if (evalNow) {
      const evaluation = await evaluate(o, state, stopping);
      evaluatedAt = state.step;
      Object.assign(row.metrics!, evaluation.metrics);
      stoppedEarly = evaluation.stop;
    }
    if (evalNow || state.step % c.progressInterval === 0) o.hooks.progress(row);
    const checkpointNow = c.checkpointInterval > 0 ? state.step % c.checkpointInterval === 0 : evalNow && stopping !== null;
    if (checkpointNow && state.step < c.totalSteps && !stoppedEarly) checkpoint(o, state, stopping);
    if (stoppedEarly) break;
    await new Promise((resolve) => setImmediate(resolve)); // let IPC, timers and cancellation through
  }
  if (evaluatedAt !== state.step && (o.objective.evaluate || stopping)) {
    const evaluation = await evaluate(o, state, stopping);
    o.hooks.progress({ step: state.step, metrics: evaluation.metrics, message: "final evaluation" });
  }
  if (stopping && state.best) return { steps: state.step, modelDir: state.best.dir, modelStep: state.best.step, metrics: state.best.metrics, trainMetrics, stoppedEarly };
  if (stopping) throw new Error(`"${c.earlyStopping!.metric}" never became finite: training diverged (try a smaller learning rate)`);
  const dir = finalModelDir(o.runDir);
  o.objective.save(dir);
  return { steps: state.step, modelDir: dir, modelStep: state.step, metrics: state.lastMetrics, trainMetrics, stoppedEarly };
}
