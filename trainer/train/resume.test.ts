// The optimizer state beside a checkpoint, written and read tensor by tensor: a round trip gives
// back exactly the moments and counters, the file is byte for byte what the in-memory writer made
// (so state saved before the streamed writer still resumes), and a missing or broken file is a
// CheckpointError naming it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSafetensors } from "../checkpoint/safetensors";
import { expectCheckpointError } from "../checkpoint/testing";
import { AdamW } from "./optimizer";
import { loadTrainerState, saveTrainerState } from "./resume";

const root = mkdtempSync(join(tmpdir(), "preflab-resume-"));
const adamw = () => new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0.1, gradClip: 0 });

/** An optimizer after two steps on a matrix and a bias, so both moments are non-trivial. */
function steppedOptimizer(): AdamW {
  const optimizer = adamw();
  const params = { "h.0.w": tf.variable(tf.tensor2d([[1, -2], [3, 0.5]])), "h.0.b": tf.variable(tf.tensor1d([0.25, -1])) };
  for (const scale of [1, -0.5]) {
    const grads = { "h.0.w": tf.tensor2d([[0.1 * scale, 0.2 * scale], [-0.3 * scale, 0.4 * scale]]), "h.0.b": tf.tensor1d([scale, -2 * scale]) };
    optimizer.step(params, grads, 0.01);
  }
  return optimizer;
}

describe("optimizer state beside a checkpoint", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("round-trips the moments and counters exactly, in the in-memory writer's bytes", () => {
    const dir = mkdtempSync(join(root, "ok-"));
    const saved = steppedOptimizer();
    saveTrainerState(dir, saved, 7);
    const want = saved.stateToRaw();
    expect(readFileSync(join(dir, "optimizer.safetensors")).equals(writeSafetensors(want.tensors))).toBe(true);
    const restored = adamw();
    expect(loadTrainerState(dir, restored)).toEqual({ step: 7, adamStep: 2 });
    const got = restored.stateToRaw();
    expect(got.step).toBe(2);
    expect(Object.keys(got.tensors).sort()).toEqual(Object.keys(want.tensors).sort());
    for (const [name, t] of Object.entries(want.tensors)) {
      expect(got.tensors[name].shape).toEqual(t.shape);
      expect(Array.from(got.tensors[name].data)).toEqual(Array.from(t.data));
    }
  });

  it("names optimizer.safetensors when it is missing or malformed", () => {
    const dir = mkdtempSync(join(root, "broken-"));
    saveTrainerState(dir, steppedOptimizer(), 3);
    const file = join(dir, "optimizer.safetensors");
    writeFileSync(file, Buffer.from([255, 255, 0, 0, 0, 0, 0, 0, 1]));
    expectCheckpointError(() => loadTrainerState(dir, adamw()), file, /header length/);
    rmSync(file);
    expectCheckpointError(() => loadTrainerState(dir, adamw()), file, /is missing: this checkpoint cannot resume training/);
  });
});
