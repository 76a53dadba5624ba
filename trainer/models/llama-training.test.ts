// The preference trainers on a Llama-family policy: they run the architecture's graph through
// executeGraph, so a DPO batch (LoRA on q/k/v/o and gate/up/down), PPO's policy + value forward
// and a reward model's head train a Qwen2/Llama checkpoint as they train GPT-2; the saved policy
// keeps the checkpoint's tokenizer_config.json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { pairBatch } from "../dpo/objective";
import type { PreferenceConfig } from "../dpo/config";
import { sequenceLogps } from "../policy/sequences";
import { loadTrainablePolicy } from "../policy/trainable-policy";
import { rewardFromHidden, SCORE_WEIGHT } from "../reward/head";
import { hiddenStatesOf, loadNeuralRewardModel, saveNeuralRewardModel, type NeuralRewardModel } from "../reward/train-neural-model";
import { batchOf, createValueHead, policyForward, valueGraph } from "../rl/policy-forward";
import { writeTinyLlamaCheckpoint } from "./llama-fixtures";

const root = mkdtempSync(join(tmpdir(), "preflab-llama-train-"));
const chosen = { promptIds: [3, 4, 5], completionIds: [6, 7, 8] };
const rejected = { promptIds: [3, 4, 5], completionIds: [9, 10] };

/** Plain gradient descent on `vars` (the loss under test, not an optimizer). */
function descend(vars: Record<string, tf.Variable>, loss: () => tf.Scalar, lr: number): number {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, Object.values(vars));
    for (const v of Object.values(vars)) if (grads[v.name]) v.assign(tf.sub(v, tf.mul(grads[v.name], lr)));
    return value.dataSync()[0];
  });
}

describe("training a Llama-family policy", () => {
  beforeAll(async () => { await initBackend("cpu"); });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("DPO with LoRA adapts the attention and MLP projections and lowers the loss; the saved policy keeps tokenizer_config.json", () => {
    const dir = join(root, "qwen2");
    writeTinyLlamaCheckpoint(dir, "qwen2", 3);
    const tokenizerConfig = { ...JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")), chat_template: "{{ messages }}" };
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
    const policy = loadTrainablePolicy(dir, { lora: { rank: 2, alpha: 4, targets: ["attention", "mlp"] }, seed: 1 });
    try {
      const adapted = Object.keys(policy.trainable).map((n) => n.replace(/\.lora_[AB]$/, ""));
      for (const m of ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]) {
        expect(adapted).toContain(`model.layers.1.${m}.weight`);
      }
      // The reference is the starting policy itself (LoRA's B = 0: identical weights).
      const [refChosen, refRejected] = tf.tidy(() => Array.from(sequenceLogps(policy, [chosen, rejected]).dataSync()));
      const pair = { prompt: "p", chosen, rejected, weight: 1, refChosen, refRejected };
      const config = { lossType: "sigmoid", beta: 0.5, labelSmoothing: 0, simpoGamma: 0.5 } as PreferenceConfig;
      const losses = Array.from({ length: 4 }, () => descend(policy.trainable, () => pairBatch(policy, [pair], config).loss as tf.Scalar, 0.5));
      expect(losses[0]).toBeCloseTo(Math.log(2), 5); // policy = reference at the start
      expect(losses[3]).toBeLessThan(losses[0] - 1e-3);
      const saved = join(root, "saved");
      policy.save(saved);
      expect(JSON.parse(readFileSync(join(saved, "tokenizer_config.json"), "utf8")).chat_template).toBe("{{ messages }}");
      expect(JSON.parse(readFileSync(join(saved, "config.json"), "utf8")).architectures).toEqual(["Qwen2ForCausalLM"]);
    } finally {
      policy.dispose();
    }
  });

  it("PPO's policy + value forward is differentiable in the policy and the value head (hidden_size wide)", () => {
    const dir = join(root, "llama");
    writeTinyLlamaCheckpoint(dir, "llama", 4);
    const policy = loadTrainablePolicy(dir, { lora: null, seed: 1 });
    const head = createValueHead(policy.setup.config);
    try {
      expect(head.weight.shape).toEqual([32, 1]);
      const graph = valueGraph(policy.setup.config);
      const batch = batchOf([chosen, rejected], policy.padId);
      // A value regression toward 1 on response tokens: the head and the policy both get gradients.
      const loss = () => {
        const out = policyForward(policy, graph, head, batch);
        return tf.div(tf.sum(tf.square(tf.sub(out.values, out.mask))), tf.sum(out.mask)) as tf.Scalar;
      };
      const vars = { ...policy.trainable, "v.weight": head.weight, "v.bias": head.bias };
      const first = descend(vars, loss, 0.05);
      const second = descend(vars, loss, 0.05);
      expect(first).toBeCloseTo(1, 6); // zero-initialised head
      expect(second).toBeLessThan(first);
      const out = tf.tidy(() => policyForward(policy, graph, head, batch).logp.arraySync());
      expect(out[1].slice(2, 4).every((v) => v < 0)).toBe(true); // response tokens get log-probs
    } finally {
      policy.dispose();
      head.weight.dispose();
      head.bias.dispose();
    }
  });

  it("a reward model on a Llama backbone scores from last_hidden_state and saves as LlamaForSequenceClassification", () => {
    const dir = join(root, "reward-backbone");
    writeTinyLlamaCheckpoint(dir, "llama", 5);
    const model = loadNeuralRewardModel(dir, 2);
    const rewards = (m: NeuralRewardModel) => tf.tidy(() => {
      const inputs = { inputIds: tf.tensor2d([[3, 4, 5], [0, 6, 7]], undefined, "int32"), attentionMask: tf.tensor2d([[1, 1, 1], [0, 1, 1]], undefined, "int32"), positionIds: tf.tensor2d([[0, 1, 2], [0, 0, 1]], undefined, "int32") };
      return Array.from(rewardFromHidden(hiddenStatesOf(m)(inputs), inputs.attentionMask, m.variables[SCORE_WEIGHT] as unknown as tf.Tensor2D).dataSync());
    });
    expect(model.variables[SCORE_WEIGHT].shape).toEqual([1, 32]);
    const before = rewards(model);
    const saved = join(root, "reward");
    saveNeuralRewardModel(saved, model);
    const reloaded = loadNeuralRewardModel(saved, 9, true);
    expect(rewards(reloaded)).toEqual(before);
    expect(JSON.parse(readFileSync(join(saved, "config.json"), "utf8")).architectures).toEqual(["LlamaForSequenceClassification"]);
    tf.dispose([...Object.values(model.variables), ...Object.values(reloaded.variables)]);
  });
});
