// One rollout batch: the current policy continues each prompt k times on ONNX Runtime (the KV
// cache makes sampling 5–15× faster than tfjs here), exported from the weights in memory; then
// one tfjs forward gives the log-probs the update's ratio starts from and the value estimates,
// the reference's per-token log-probs come from its own ONNX session, and the scores from the
// run's score source.
import * as tf from "@tensorflow/tfjs-core";
import type { Graph } from "../graph/ir";
import { onnxLanguageModelFromWeights, type OnnxLanguageModel } from "../onnx/checkpoint";
import { generateFromIds } from "../onnx/generate";
import { completionLogprobs } from "../onnx/logprobs";
import type { TrainablePolicy } from "../policy/trainable-policy";
import type { RlConfig } from "./config";
import { batchOf, policyForward, responseValues, type ValueHead } from "./policy-forward";
import type { ScoreSource } from "./scores";

export interface Sample {
  prompt: string;
  promptIds: number[];
  /** Sampled ids, with eos appended when the policy chose to stop (so stopping is learned too). */
  responseIds: number[];
  text: string;
  oldLogp: number[];
  refLogp: number[];
  values: number[];
  score: number;
}

/** The policy's current weights as an ONNX session (LoRA merged in), for sampling. */
async function currentPolicyOnnx(policy: TrainablePolicy): Promise<OnnxLanguageModel> {
  const { setup, lora } = policy;
  const weights = lora ? lora.merged(setup.model.params) : setup.model.params;
  const arrays = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.dataSync() as Float32Array]));
  if (lora) tf.dispose(Object.values(weights));
  return onnxLanguageModelFromWeights(setup.config, setup.tokenizer, (name) => arrays[name]!, { intraOpNumThreads: 1 });
}

async function sampleResponses(policy: TrainablePolicy, promptIds: number[][], c: RlConfig, seed: number) {
  const onnx = await currentPolicyOnnx(policy);
  try {
    const generations = await generateFromIds(onnx.lm, promptIds, policy.setup.tokenizer, { temperature: c.temperature, maxNewTokens: c.maxNewTokens, seed });
    const eos = policy.setup.tokenizer.eosId;
    return generations.map((g) => ({ text: g.text, ids: g.finishReason === "eos" ? [...g.tokenIds, eos] : g.tokenIds }));
  } finally {
    await onnx.lm.release();
  }
}

/** Old log-probs and values of the samples from the current weights (no gradients). */
function oldLogpsAndValues(policy: TrainablePolicy, graph: Graph, head: ValueHead, rows: Array<{ promptIds: number[]; completionIds: number[] }>) {
  const batch = batchOf(rows, policy.padId);
  const { logp, values } = tf.tidy(() => {
    const out = policyForward(policy, graph, head, batch);
    return { logp: out.logp.arraySync(), values: out.values.arraySync() };
  });
  return { logp: responseValues(logp, batch), values: responseValues(values, batch) };
}

export interface RolloutContext {
  policy: TrainablePolicy;
  graph: Graph;
  head: ValueHead;
  reference: OnnxLanguageModel;
  scores: ScoreSource;
  config: RlConfig;
}

/** Seconds spent in each part of the last rollout, so the slowest part of an iteration shows. */
export interface RolloutTimes {
  "time/sampling": number;
  "time/policy_logprobs": number;
  "time/reference_logprobs": number;
  "time/scoring": number;
}

/** Samples k completions per prompt and everything the update needs about them. */
export async function rollout(r: RolloutContext, prompts: ReadonlyArray<{ text: string; ids: number[] }>, seed: number, times?: Partial<RolloutTimes>): Promise<Sample[]> {
  const k = r.config.samplesPerPrompt;
  const expanded = prompts.flatMap((p) => Array.from({ length: k }, () => p));
  let t = performance.now();
  const lap = (name: keyof RolloutTimes) => {
    const now = performance.now();
    if (times) times[name] = (now - t) / 1000;
    t = now;
  };
  const responses = await sampleResponses(r.policy, expanded.map((p) => p.ids), r.config, seed);
  lap("time/sampling");
  const rows = expanded.map((p, i) => ({ promptIds: p.ids, completionIds: responses[i]!.ids }));
  const old = oldLogpsAndValues(r.policy, r.graph, r.head, rows);
  lap("time/policy_logprobs");
  const ref = await completionLogprobs(r.reference.lm, rows);
  lap("time/reference_logprobs");
  const scores = r.scores.score(expanded.map((p, i) => ({ prompt: p.text, completion: responses[i]!.text })));
  lap("time/scoring");
  return expanded.map((p, i) => ({
    prompt: p.text, promptIds: p.ids, responseIds: responses[i]!.ids, text: responses[i]!.text,
    oldLogp: old.logp[i]!, refLogp: ref[i]!.logprobs, values: old.values[i]!, score: scores[i]!,
  }));
}
