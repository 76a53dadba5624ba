import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { runTraining, type LoopConfig, type LoopHooks, type Objective, type ProgressRow } from "./loop";
import { AdamW } from "./optimizer";

/**
 * A least-squares fit y = w·x as an objective: a real tfjs gradient, batches that depend on the
 * step alone, a validation loss that falls then rises (so early stopping has a best to find).
 */
function lineObjective(w: tf.Variable, o: { nanAt?: number; valTarget?: number } = {}): Objective<number> {
  const xs = tf.tensor1d([1, 2, 3, 4]);
  return {
    trainable: { w },
    batch: (step) => step,
    loss: (step) => {
      if (step === o.nanAt) return { loss: tf.mul(w, Number.NaN) as tf.Scalar };
      const target = tf.mul(xs, 2 + (step % 3) * 0.01); // slightly different data per step
      return { loss: tf.mean(tf.square(tf.sub(tf.mul(w, xs), target))) as tf.Scalar, metrics: { w: w.dataSync()[0]! } };
    },
    evaluate: () => ({ eval_loss: (w.dataSync()[0]! - (o.valTarget ?? 2)) ** 2 }),
    save: (dir) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "w.json"), JSON.stringify(w.dataSync()[0]));
    },
  };
}

function recorder() {
  const rows: ProgressRow[] = [];
  const checkpoints: string[] = [];
  const hooks: LoopHooks = { progress: (r) => rows.push(r), checkpoint: (dir) => checkpoints.push(dir), throwIfCancelled: () => {} };
  return { rows, checkpoints, hooks };
}

const config = (over: Partial<LoopConfig> = {}): LoopConfig => ({
  totalSteps: 12, schedule: { learningRate: 0.1, minLearningRate: 0.01, warmupSteps: 2, maxSteps: 12 },
  evalInterval: 3, checkpointInterval: 3, progressInterval: 1, ...over,
});

const optimizer = () => new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0, gradClip: 1 });
const savedW = (dir: string) => JSON.parse(readFileSync(path.join(dir, "w.json"), "utf8")) as number;

describe("the training loop", () => {
  it("steps, evaluates, keeps only the newest checkpoint on disk, and saves the final model", async () => {
    await initBackend("cpu");
    const runDir = mkdtempSync(path.join(os.tmpdir(), "preflab-loop-"));
    const w = tf.variable(tf.scalar(0));
    const { rows, checkpoints, hooks } = recorder();
    const result = await runTraining({ objective: lineObjective(w), optimizer: optimizer(), config: config(), runDir, hooks });
    expect(result.steps).toBe(12);
    expect(rows.filter((r) => r.loss !== undefined).map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rows.filter((r) => r.metrics?.eval_loss !== undefined).map((r) => r.step)).toEqual([3, 6, 9, 12]);
    expect(checkpoints.map((d) => path.basename(d))).toEqual(["step-3", "step-6", "step-9"]);
    expect(readdirSync(path.join(runDir, "checkpoints"))).toEqual(["step-9"]); // older ones deleted after the newer was recorded
    expect(result.modelDir).toBe(path.join(runDir, "final"));
    expect(savedW(result.modelDir)).toBeCloseTo(w.dataSync()[0]!, 6);
    expect(rows[0]!.metrics).toMatchObject({ lr: 0.05, w: 0 }); // warm-up: step 1 of 2 at half the peak rate
  });

  it("resumed from a checkpoint, ends with exactly the weights of an uninterrupted run", async () => {
    await initBackend("cpu");
    const whole = tf.variable(tf.scalar(0));
    await runTraining({ objective: lineObjective(whole), optimizer: optimizer(), config: config(), runDir: mkdtempSync(path.join(os.tmpdir(), "preflab-loop-")), hooks: recorder().hooks });
    const runDir = mkdtempSync(path.join(os.tmpdir(), "preflab-loop-"));
    const w = tf.variable(tf.scalar(0));
    const first = recorder();
    first.hooks.throwIfCancelled = () => {
      if (first.checkpoints.length === 2) throw new Error("killed");
    };
    await expect(runTraining({ objective: lineObjective(w), optimizer: optimizer(), config: config(), runDir, hooks: first.hooks })).rejects.toThrow("killed");
    const resumeDir = first.checkpoints.at(-1)!;
    const restarted = tf.variable(tf.scalar(savedW(resumeDir))); // the executor loads the checkpoint's weights
    const second = recorder();
    const result = await runTraining({ objective: lineObjective(restarted), optimizer: optimizer(), config: config(), runDir, hooks: second.hooks, resumeDir });
    expect(second.rows.find((r) => r.loss !== undefined)!.step).toBe(7);
    expect(result.steps).toBe(12);
    expect(restarted.dataSync()[0]).toBe(whole.dataSync()[0]);
  });

  it("under early stopping returns the best validated model, not the last", async () => {
    await initBackend("cpu");
    const runDir = mkdtempSync(path.join(os.tmpdir(), "preflab-loop-"));
    const w = tf.variable(tf.scalar(0));
    // Validation prefers w = 0.6: the fit to 2 passes it, so validation gets worse after a while.
    const result = await runTraining({
      objective: lineObjective(w, { valTarget: 0.6 }), optimizer: optimizer(), runDir, hooks: recorder().hooks,
      config: config({ totalSteps: 60, schedule: { learningRate: 0.1, minLearningRate: 0.1, warmupSteps: 0, maxSteps: 60 }, evalInterval: 2, earlyStopping: { metric: "eval_loss", mode: "min", patience: 2 } }),
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.steps).toBeLessThan(60);
    expect(result.modelDir).toMatch(/best\/step-\d+$/);
    expect(Math.abs(savedW(result.modelDir) - 0.6)).toBeLessThan(Math.abs(w.dataSync()[0]! - 0.6));
    expect(result.metrics.eval_loss).toBeCloseTo((savedW(result.modelDir) - 0.6) ** 2, 6);
    expect(readdirSync(path.join(runDir, "best"))).toHaveLength(1);
  });

  it("stops with the step and learning rate when the loss stops being finite, saving no model", async () => {
    await initBackend("cpu");
    const runDir = mkdtempSync(path.join(os.tmpdir(), "preflab-loop-"));
    const run = runTraining({ objective: lineObjective(tf.variable(tf.scalar(0)), { nanAt: 4 }), optimizer: optimizer(), config: config(), runDir, hooks: recorder().hooks });
    await expect(run).rejects.toThrow(/loss became NaN at step 5 \(learning rate 9\.14e-2\): training diverged; lower the learning rate/);
    expect(existsSync(path.join(runDir, "final"))).toBe(false);
  });
});
