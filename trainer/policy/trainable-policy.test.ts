import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { saveTinyBackbone } from "../reward/executor-fixtures";
import { loadTrainablePolicy, type TrainablePolicy } from "./trainable-policy";

const values = (params: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(params).map(([k, t]) => [k, Array.from(t.dataSync())]));

/** Moves every trainable variable, as an optimizer step would. */
function perturb(policy: TrainablePolicy, by: number): void {
  for (const v of Object.values(policy.trainable)) v.assign(tf.tidy(() => v.add(tf.randomNormal(v.shape, 0, by, "float32", 5))));
}

describe("restoring early stopping's best model", () => {
  // The test split is scored on the policy in memory: after early stopping it must hold the best
  // checkpoint's weights, not the last step's (the bug this guards against).
  for (const lora of [null, { rank: 2, alpha: 4, targets: ["attention", "mlp"] as ("attention" | "mlp")[] }]) {
    it(`puts the saved weights back exactly (${lora ? "LoRA" : "full fine-tune"})`, async () => {
      await initBackend("cpu");
      const policy = loadTrainablePolicy(saveTinyBackbone(4), { lora, seed: 1 });
      try {
        perturb(policy, 0.05); // the "best" step
        const best = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-best-"));
        policy.save(best);
        const saved = tf.tidy(() => values(policy.params()));
        perturb(policy, 0.05); // later steps that were not better
        expect(tf.tidy(() => values(policy.params()))).not.toEqual(saved);
        policy.restore(best);
        const restored = tf.tidy(() => values(policy.params()));
        for (const [name, xs] of Object.entries(saved)) {
          const ys = restored[name]!;
          // LoRA's effective weight is recomputed as base + (α/r)·A·B with B = 0: exact; full: exact.
          expect(Math.max(...xs.map((x, i) => Math.abs(x - ys[i]!))), name).toBeLessThan(1e-6);
        }
      } finally {
        policy.dispose();
      }
    }, 60_000);
  }
});
