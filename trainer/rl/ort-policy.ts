// PPO, GRPO and RLOO updates trained by ONNX Runtime (OrtVjpTrainer seeded at several outputs):
// the step graph is the policy with, per token of the [rows, seq] layout policyForward uses
// (target t predicts ids[t+1]), the sampled token's log-prob (`token_logps`), and for PPO the value
// head as IR params over last_hidden_state (`values`) and the distribution's entropy
// (`token_entropy`), all masked to response tokens. The loss is algorithms.ts's (the one tfjs
// definition, unchanged) on those outputs; its gradients seed ORT's backward pass and AdamW. One
// static shape per run: rows = the minibatch, seq = the longest training prompt + maxNewTokens
// (less the last token), right-padded; causal attention makes the padding harmless. A short
// minibatch is filled with rows of an all-zero mask that the loss never reads (it sees the real
// rows only), so their seeds are exactly 0.
import * as tf from "@tensorflow/tfjs-core";
import { GraphBuilder } from "../graph/builder";
import type { Graph } from "../graph/ir";
import type { LogprobBatch } from "../logprobs";
import { modelWeights, syncWeights, withOrtStep } from "../onnx-train/lm-engine";
import { appendTokenLogps, COMPLETION_MASK, OrtVjpTrainer, sequenceFeeds, sequenceInputShapes, vjpTrainerEngine, type OrtEngineOptions, type SeededOutputs, type SequenceBatch } from "../onnx-train/vjp-trainer";
import type { TrainableModel } from "../train/lm-step";
import type { Objective } from "../train/loop";
import type { AdamWOptions } from "../train/optimizer";
import type { Scored } from "./algorithms";
import type { RlConfig } from "./config";
import { batchOf, type ForwardOut } from "./policy-forward";
import { iterate, type RlIteration, type RlRun } from "./objective";
import { algorithmLoss, minibatchTensors, type MinibatchStep, type Updater } from "./update";

export const TOKEN_LOGPS = "token_logps";
export const VALUES = "values";
export const TOKEN_ENTROPY = "token_entropy";
/** The value head's IR params: the names ValueHead's variables train under. */
export const VALUE_HEAD_WEIGHT = "value_head.weight";
export const VALUE_HEAD_BIAS = "value_head.bias";

/**
 * `model` (with a last_hidden_state output) plus `token_logps` [rows, seq] and, for a `critic`,
 * `values` = (hidden · value_head.weight + value_head.bias)·mask and `token_entropy` =
 * −Σ_v p_v·log p_v·mask (losses.ts's tokenEntropy, from ops with backward rules).
 */
export function withPolicyOutputs(model: Graph, rows: number, seq: number, critic: boolean): Graph {
  const g = GraphBuilder.extending({ ...model, outputs: [] });
  const { tokenLogps, logSoftmax } = appendTokenLogps(g, rows, seq, "rl_logps", TOKEN_LOGPS);
  g.output(tokenLogps, "float32", [rows, seq]);
  if (!critic) return g.build();
  const hidden = model.outputs.find((o) => o.name === "last_hidden_state");
  if (!hidden) throw new Error("the policy's value graph has no last_hidden_state output");
  const embd = hidden.shape[2] as number;
  const mask = COMPLETION_MASK;
  const weight = g.param(VALUE_HEAD_WEIGHT, [embd, 1], { kind: "zeros" });
  const bias = g.param(VALUE_HEAD_BIAS, [1], { kind: "zeros" });
  const flat = g.op("reshape", "value_head", ["last_hidden_state"], { shape: [rows * seq, embd] });
  const v = g.op("add", "value_head", [g.op("matmul", "value_head", [flat, weight], {}), bias], {}); // [rows·seq, 1]
  g.op("mul", "value_head", [g.op("reshape", "value_head", [v], { shape: [rows, seq] }), mask], {}, VALUES);
  g.output(VALUES, "float32", [rows, seq]);
  const plogp = g.op("mul", "rl_entropy", [g.op("exp", "rl_entropy", [logSoftmax], {}), logSoftmax], {}); // [rows, seq, vocab]
  const entropy = g.op("neg", "rl_entropy", [g.op("reduceSum", "rl_entropy", [plogp], { axes: [2], keepDims: false })], {});
  g.op("mul", "rl_entropy", [entropy, mask], {}, TOKEN_ENTROPY);
  g.output(TOKEN_ENTROPY, "float32", [rows, seq]);
  return g.build();
}

/** What the step is seeded at: token log-probs, plus values and entropy for PPO. */
export function policyOutputs(critic: boolean): SeededOutputs<SequenceBatch> {
  return {
    outputs: critic ? [TOKEN_LOGPS, VALUES, TOKEN_ENTROPY] : [TOKEN_LOGPS],
    extend: (model, rows, seq) => withPolicyOutputs(model, rows, seq, critic),
    inputShapes: sequenceInputShapes,
    feeds: sequenceFeeds,
  };
}

/** The run's one step shape: rows = a minibatch, seq = the longest prompt + a full response, less its last token. */
export function policyStepShape(prompts: ReadonlyArray<{ ids: number[] }>, c: Pick<RlConfig, "miniBatchSize" | "batchSize" | "samplesPerPrompt" | "maxNewTokens">): { rows: number; seq: number } {
  const longest = Math.max(1, ...prompts.map((p) => p.ids.length));
  return { rows: Math.min(c.miniBatchSize, c.batchSize * c.samplesPerPrompt), seq: longest + c.maxNewTokens - 1 };
}

/** `batch` right-padded to `width` ids per row (masks 0 there). */
function padTo(batch: LogprobBatch, width: number, padId: number): LogprobBatch {
  const seq = batch.ids[0]!.length;
  if (seq > width) throw new Error(`a ${seq}-token rollout does not fit the run's step of ${width} tokens`);
  const extend = (rows: number[][], value: number) => rows.map((r) => [...r, ...new Array<number>(width - seq).fill(value)]);
  return { ids: extend(batch.ids, padId), attention: extend(batch.attention, 0), completionMask: extend(batch.completionMask, 0), completionIds: batch.completionIds };
}

export interface OrtPolicyOptions extends OrtEngineOptions {
  /** The policy's value graph (valueGraph: last_hidden_state exposed). */
  graph: Graph;
  /** The policy's variables, plus the value head's under VALUE_HEAD_WEIGHT/BIAS for a critic. */
  variables: Record<string, tf.Variable>;
  critic: boolean;
  rows: number;
  seq: number;
  padId: number;
  adamw: AdamWOptions;
}

/** The ORT trainer of an RL run, and the tfjs variables (rollouts read them) it syncs. */
export class OrtPolicyTrainer {
  private constructor(readonly trainer: OrtVjpTrainer<SequenceBatch>, readonly model: TrainableModel, private readonly o: OrtPolicyOptions) {}

  static async create(o: OrtPolicyOptions): Promise<OrtPolicyTrainer> {
    const model = { graph: o.graph, params: o.variables };
    const trainer = await OrtVjpTrainer.create<SequenceBatch>({ graph: o.graph, weights: modelWeights(model), adamw: o.adamw, batch: o.rows, seq: o.seq, ...vjpTrainerEngine(o), outputs: policyOutputs(o.critic) });
    return new OrtPolicyTrainer(trainer, model, o);
  }

  /** The samples' rows in the [n, seq] layout (the loss's), and as the step's [rows, seq] batch with filler rows. */
  rows(samples: ReadonlyArray<Pick<Scored, "promptIds" | "responseIds">>): { real: LogprobBatch; batch: SequenceBatch } {
    const { rows, seq, padId } = this.o;
    if (samples.length > rows) throw new Error(`${samples.length} samples do not fit a step of ${rows} rows`);
    const real = padTo(batchOf(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.responseIds })), padId), seq + 1, padId);
    const filler = rows - samples.length;
    const ids = [...real.ids, ...Array.from({ length: filler }, () => new Array<number>(seq + 1).fill(padId))];
    const mask = [...real.completionMask, ...Array.from({ length: filler }, () => new Array<number>(seq).fill(0))];
    return { real, batch: { inputs: ids.map((r) => r.slice(0, seq)), targets: ids.map((r) => r.slice(1)), mask } };
  }

  /** One AdamW step of the algorithm's loss on the samples; its metrics and the seeds (filler rows' are 0). */
  async minibatch(samples: readonly Scored[], lr: number, u: Pick<Updater, "algorithm" | "config">): Promise<{ metrics: Record<string, number>; seeds: Record<string, Float32Array> }> {
    const { real, batch } = this.rows(samples);
    const metrics: Record<string, number> = {};
    const r = await this.trainer.stepOutputs(batch, (outputs) => {
      const mask = tf.tensor2d(real.completionMask, [samples.length, this.o.seq]);
      const take = (name: string) => (outputs[name] ? tf.slice(outputs[name], [0, 0], [samples.length, -1]) : tf.zerosLike(mask)) as tf.Tensor2D;
      const out: ForwardOut = { logp: take(TOKEN_LOGPS), values: take(VALUES), entropy: take(TOKEN_ENTROPY), mask };
      return algorithmLoss(u, out, minibatchTensors(samples, real), metrics);
    }, lr);
    return { metrics: { loss: r.loss, grad_norm: r.gradNorm, ...metrics }, seeds: r.seeds };
  }

  /** updateOnBatch's minibatch step on ONNX Runtime. */
  step(u: Pick<Updater, "algorithm" | "config">): MinibatchStep {
    return async (samples, lr) => (await this.minibatch(samples, lr, u)).metrics;
  }

  /** Copies ORT's weights into the tfjs variables (before a rollout, which samples from them). */
  syncWeights(): void {
    syncWeights(this.trainer, this.model);
  }

  async release(): Promise<void> {
    await this.trainer.release();
  }
}

/**
 * `base` (rlObjective) whose updates ONNX Runtime trains: before each rollout the tfjs policy and
 * value head take ORT's weights; evaluate/save and the moments of checkpoints and resume are
 * lm-engine.ts's withOrtStep (one AdamW step per minibatch on both engines).
 */
export function withOrtPolicy(base: Objective<RlIteration>, run: RlRun, p: OrtPolicyTrainer): Objective<RlIteration> {
  return withOrtStep(base, p.trainer, p.model, async (it, lr) => {
    p.syncWeights();
    return iterate(run, it, lr, p.step(run.updater));
  });
}
