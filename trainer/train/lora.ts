// LoRA (Hu et al. 2021): train W' = W + (α/r)·A·B with the base W frozen, A [in, r], B [r, out]
// for GPT-2's Conv1D weights ([in, out]). The graph is unchanged: W' is formed inside the
// differentiable closure and passed to executeGraph under W's HF name. Saving merges the update
// into W, so a LoRA run's checkpoint is a plain HF GPT-2.
// What this saves is memory, not compute: gradients and AdamW moments exist for the adapters
// only (~1% of GPT-2's weights), but the backward still forms the full-size dW' = xᵀ·dy of each
// adapted weight (only a graph that computes (x·A)·B would skip that). Forming A·B itself costs
// in·r·out per weight and step, a fraction r/tokens of the forward's x·W.
import * as tf from "@tensorflow/tfjs-core";
import { createRng, seedFromString } from "../../stats/random";
import type { RawTensor } from "../checkpoint/safetensors";
import type { GraphNode } from "../graph/ir";
import { TFJS_OPS } from "../graph/tfjs-ops";

/** Groups of weights that can get adapters (one list, reused by configs and validation). */
export const LORA_TARGETS = ["attention", "mlp"] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
  /** Rank r of the update A·B: 8 is PEFT's default; larger learns more, costs more. */
  rank: number;
  /** α: the update is scaled by α/r (PEFT's lora_alpha, default 16). */
  alpha: number;
  /** Which weights get adapters: "attention" = c_attn + attn.c_proj, "mlp" = c_fc + mlp.c_proj. */
  targets: LoraTarget[];
  /** Seed of A's initialisation. */
  seed: number;
}

export const DEFAULT_LORA: LoraConfig = { rank: 8, alpha: 16, targets: ["attention", "mlp"], seed: 0 };

export interface LoraAdapters {
  /** Trainable variables only ("<param name>.lora_A", ".lora_B"): what the optimizer updates. */
  variables: Record<string, tf.Variable>;
  /** The params to execute the graph with: frozen base params plus W + (α/r)·A·B for adapted ones; call inside tf.tidy / variableGrads (it creates tensors). */
  effectiveParams(base: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
  /** Merged weights for saving a plain HF checkpoint (new tensors; caller disposes). */
  merged(base: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
  dispose(): void;
}

// HF weight names per target, as suffixes so both "transformer.h.0…" and "h.0…" match: GPT-2's
// Conv1D and the Llama family's nn.Linear projections. A Linear weight is [out, in], so its
// adapter is A [out, r]·B [r, in]: still a rank-r update of W, with A's init scaled by out.
const TARGET_SUFFIXES: Record<LoraTarget, string[]> = {
  attention: [".attn.c_attn.weight", ".attn.c_proj.weight", ...["q", "k", "v", "o"].map((x) => `.self_attn.${x}_proj.weight`)],
  mlp: [".mlp.c_fc.weight", ".mlp.c_proj.weight", ".mlp.gate_proj.weight", ".mlp.up_proj.weight", ".mlp.down_proj.weight"],
};

/** Names of the base params that get adapters under `targets` (throws a clear Error if none match, e.g. a model without those names). */
export function loraTargets(paramNames: string[], targets: LoraConfig["targets"]): string[] {
  if (targets.length === 0) throw new Error(`LoRA needs at least one target (${LORA_TARGETS.join(", ")})`);
  const suffixes = targets.flatMap((t) => {
    if (!LORA_TARGETS.includes(t)) throw new Error(`unknown LoRA target "${t}": expected one of ${LORA_TARGETS.join(", ")}`);
    return TARGET_SUFFIXES[t];
  });
  const names = paramNames.filter((name) => suffixes.some((s) => name.endsWith(s)));
  if (names.length === 0) {
    const seen = paramNames.slice(0, 3).join(", ") || "none";
    throw new Error(`LoRA targets [${targets.join(", ")}] match none of the model's ${paramNames.length} parameters: ` +
      `expected names ending in ${suffixes.join(", ")} (the model has e.g. ${seen})`);
  }
  return names;
}

function checkConfig(c: LoraConfig): void {
  if (!Number.isInteger(c.rank) || c.rank < 1) throw new Error(`LoRA rank must be a positive integer, got ${c.rank}`);
  if (!Number.isFinite(c.alpha) || c.alpha <= 0) throw new Error(`LoRA alpha must be a positive number, got ${c.alpha}`);
  if (!Number.isFinite(c.seed)) throw new Error(`LoRA seed must be a number, got ${c.seed}`);
}

/** The [in, out] shape of an adapted weight, with a clear error when it is missing or not a matrix. */
function weightShape(base: Record<string, tf.Tensor>, name: string): [number, number] {
  const w = base[name];
  if (!w) throw new Error(`LoRA: base params have no "${name}"`);
  if (w.rank !== 2) throw new Error(`LoRA: "${name}" has shape [${w.shape}], expected an [in, out] matrix`);
  return w.shape as [number, number];
}

/**
 * PEFT's lora_A init, kaiming_uniform_(a=√5): U(−1/√in, 1/√in). Seeded per weight name, so one
 * weight's A does not change when other targets are switched on or off.
 */
function initA(inDim: number, rank: number, seed: number, name: string): tf.Tensor2D {
  const rand = createRng(seedFromString(`lora:${seed}:${name}`));
  const bound = 1 / Math.sqrt(inDim);
  const data = new Float32Array(inDim * rank);
  for (let i = 0; i < data.length; i++) data[i] = (2 * rand() - 1) * bound;
  return tf.tensor2d(data, [inDim, rank]);
}

// The graph's matmul: its gradient transposes operands explicitly (Aᵀ·dy via matMul's transpose
// flag runs 10-50× slower on wasm).
const MATMUL_NODE: Extract<GraphNode, { op: "matmul" }> = { op: "matmul", name: "lora", inputs: [], outputs: [] };
const matMul = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => TFJS_OPS.matmul(MATMUL_NODE, [a, b])[0];

/** Adapters for the `config.targets` weights of `base`: A random, B zero, so W' = W at first. */
export function createLora(base: Record<string, tf.Tensor>, config: LoraConfig): LoraAdapters {
  checkConfig(config);
  const names = loraTargets(Object.keys(base), config.targets);
  const scale = config.alpha / config.rank;
  const shapes = new Map(names.map((name) => [name, weightShape(base, name)]));
  const variables: Record<string, tf.Variable> = {};
  for (const [name, [inDim, outDim]] of shapes) {
    // Variables keep tfjs's unique auto names: two adapter sets may live in one process.
    variables[`${name}.lora_A`] = tf.tidy(() => tf.variable(initA(inDim, config.rank, config.seed, name)));
    variables[`${name}.lora_B`] = tf.tidy(() => tf.variable(tf.zeros([config.rank, outDim])));
  }
  const effectiveParams = (params: Record<string, tf.Tensor>): Record<string, tf.Tensor> => {
    const out = { ...params };
    for (const [name, [inDim, outDim]] of shapes) {
      const [i, o] = weightShape(params, name);
      if (i !== inDim || o !== outDim) throw new Error(`LoRA: "${name}" is [${i}, ${o}], adapters were made for [${inDim}, ${outDim}]`);
      const update = matMul(variables[`${name}.lora_A`], variables[`${name}.lora_B`]); // [in, out]
      out[name] = tf.add(params[name], tf.mul(update, scale));
    }
    return out;
  };
  return {
    variables,
    effectiveParams,
    // Unadapted weights are cloned too, so the caller may dispose every returned tensor.
    merged: (params) => tf.tidy(() => {
      const eff = effectiveParams(params);
      return Object.fromEntries(Object.entries(eff).map(([k, t]) => [k, shapes.has(k) ? t : tf.clone(t)]));
    }),
    dispose: () => { for (const v of Object.values(variables)) v.dispose(); },
  };
}

/** The adapters as plain float32 arrays (copies), to save beside the optimizer's moments. */
export function loraState(adapters: LoraAdapters): Record<string, RawTensor> {
  const raw: Record<string, RawTensor> = {};
  for (const [name, v] of Object.entries(adapters.variables)) raw[name] = { shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) };
  return raw;
}

/** Restores what loraState produced; throws (changing nothing) unless names and shapes match exactly. */
export function loadLoraState(adapters: LoraAdapters, raw: Record<string, RawTensor>): void {
  const expected = Object.keys(adapters.variables);
  const extra = Object.keys(raw).filter((k) => !(k in adapters.variables));
  if (extra.length > 0) throw new Error(`LoRA state has adapters this model does not: ${extra.slice(0, 3).join(", ")} (different targets?)`);
  for (const name of expected) {
    const t = raw[name];
    const shape = adapters.variables[name].shape;
    if (!t) throw new Error(`LoRA state lacks "${name}" (different targets?)`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.shape.join() !== shape.join() || t.data.length !== size) {
      throw new Error(`LoRA state "${name}" is [${t.shape}], expected [${shape}] (different rank?)`);
    }
  }
  tf.tidy(() => { for (const name of expected) adapters.variables[name].assign(tf.tensor(raw[name].data, raw[name].shape, "float32")); });
}
