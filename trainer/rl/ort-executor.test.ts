// PPO, GRPO and RLOO runs through the worker with engine "onnx" against the same run with engine "cpu":
// the first rollout is sampled from identical weights with the same seed, so the first
// iteration's loss (the mean over its minibatches) must agree to fp32 precision; later rollouts
// may sample other tokens. The ORT run is then stopped after its first checkpoint and resumed:
// weights, value head, moments and β come back, so it ends on the uninterrupted run's weights.
import { describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { expectOrtRunLikeTfjs, plantedPolicyRuns } from "../dpo/ort-runs.fixtures";
import { registerScoringFunction } from "./scores";
import { vowelShare } from "./scores.fixtures";

// A dense score: with all-equal scores GRPO's advantages are 0 and its first step's gradient (the
// k3 term at π = π_ref) is analytically 0, so Adam would turn each engine's rounding noise into ±lr steps.
registerScoringFunction("vowel-share", (items) => items.map((i) => vowelShare(i.completion)));

const RL_RUN = {
  scoringFunction: "vowel-share", batchSize: 2, samplesPerPrompt: 2, miniBatchSize: 3, updateEpochs: 2, maxNewTokens: 5, iterations: 4,
  learningRate: 1e-2, progressEvery: 1, evalInterval: 0, checkpointEvery: 2, evaluation: { prompts: 2, maxNewTokens: 4 },
};

describe("online RL runs on ONNX Runtime in the worker", () => {
  for (const kind of ["ppo", "grpo", "rloo"] as const) {
    it(`${kind}: finishes on onnxruntime, registers its policy, its first iteration's loss equals the cpu run's (< 1e-4), and resumes from a checkpoint to identical weights`, async () => {
      await initBackend("cpu");
      const fx = await plantedPolicyRuns(kind, RL_RUN, 11);
      expect(() => fx.queue({ engine: "onnx", lora: { rank: 2 } })).toThrow(/ONNX Runtime trains RL updates with full fine-tuning only: LoRA adapters train on TensorFlow\.js[^]*at engine/); // refused at launch, naming the field
      // measured: PPO 7.5e-8, GRPO 1.9e-8, RLOO 1.6e-7
      await expectOrtRunLikeTfjs(fx, { label: kind, tolerance: 1e-4, steps: "first", note: "rollouts on ONNX Runtime" });
    }, 180_000);
  }
});
