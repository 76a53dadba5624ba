// The ONNX Runtime training engine for language modelling: one step graph (forward, next-token
// loss, backward, clipping, AdamW) for a fixed (batch, seq), one session, the state carried in
// JS-owned tensors between steps (./step-session.ts). Weights go in and come out as plain
// Float32 arrays under their HF names; the optimizer state in AdamW.stateToRaw()'s format, so
// checkpoints and resume stay one format whichever engine trained.
import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import type { RawTensor } from "../checkpoint/safetensors";
import type { Graph } from "../graph/ir";
import { floatData, int64Tensor } from "../onnx/session";
import type { LmBatch } from "../train/data";
import type { AdamWOptions } from "../train/optimizer";
import { adamwScalars, GRAD_NORM, momentName } from "./adamw-graph";
import { LM_LOSS, LM_LOSS_MASK, LM_TARGETS, lmStepGraph, stepModelBytes, type StepGraph } from "./step-graph";
import { LeanStepSession } from "./lean-step-session";
import { resolveMemoryMode, type StepMemoryChoice, type StepMemoryMode } from "./memory-mode";
import { FusedStepSession, scalarTensor, type StepSession } from "./step-session";

export interface OrtTrainerOptions {
  /** The model graph (any architecture in the IR; built without a KV cache). */
  graph: Graph;
  /** Initial weights by HF name (every graph parameter). */
  weights: Record<string, Float32Array>;
  adamw: AdamWOptions;
  batch: number;
  seq: number;
  /** Weigh the loss by a per-token mask (SFT's completion tokens) given with each batch. */
  completionMask?: boolean;
  /** Intra-op threads (default: every core). */
  threads?: number;
  /** ORT execution providers (default CPU). */
  executionProviders?: ("cuda" | "cpu")[];
  /** The step graph when already built (e.g. to check that ORT can train the model). */
  stepGraph?: StepGraph;
  /** Fused step or memory-lean step (./memory-mode.ts; default auto: by model size vs memory). */
  memory?: StepMemoryChoice;
  /** Floats per AdamW run of the lean step (default DEFAULT_CHUNK_SIZE). */
  leanChunkSize?: number;
}

export type LmStepOptions = Pick<OrtTrainerOptions, "graph" | "batch" | "seq" | "adamw" | "completionMask">;

/** The LM step graph OrtTrainer runs for these options. */
export function lmStepFor(o: LmStepOptions): StepGraph {
  return lmStepGraph(o.graph, { batch: o.batch, seq: o.seq, adamw: o.adamw, completionMask: o.completionMask });
}

/** A batch of next-token examples; `mask` [batch][seq] (1 = in the loss) with `completionMask`. */
export type OrtLmBatch = LmBatch & { mask?: number[][] };

/** What every ORT training engine shares: a step session, the parameters it updates, AdamW's step count. */
export class OrtStepTrainer {
  /** Optimizer steps taken (AdamW's `t`). */
  t = 0;

  protected constructor(
    protected readonly session: StepSession,
    readonly stepGraph: StepGraph,
    protected readonly adamw: AdamWOptions,
    readonly threads: number,
  ) {}

  /** The session of a step graph, threads = cores unless told, fused or lean (`memory`, default auto). */
  protected static async open(step: StepGraph, o: { threads?: number; executionProviders?: ("cuda" | "cpu")[]; memory?: StepMemoryChoice; leanChunkSize?: number; adamw: AdamWOptions }): Promise<{ session: StepSession; threads: number }> {
    const threads = o.threads ?? availableParallelism();
    const config = { intraOpNumThreads: threads, executionProviders: o.executionProviders };
    const parameters = step.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    const session = resolveMemoryMode(o.memory, parameters) === "lean"
      ? await LeanStepSession.create(stepModelBytes(step.leanGraph()), step.params, o.adamw, config, o.leanChunkSize)
      : await FusedStepSession.create(stepModelBytes(step.graph), step.state, config);
    return { session, threads };
  }

  /** Which step runs: "fused" (AdamW in the step graph) or "lean" (one state set, AdamW in chunks). */
  get memoryMode(): StepMemoryMode {
    return this.session.mode;
  }

  /** Runs one update with `feeds` (batch, seeds); AdamW's scalars for the next `t` are added here. */
  protected async update(feeds: Record<string, ort.Tensor>, lr: number, outputs: string[]): Promise<Record<string, ort.Tensor>> {
    for (const [name, value] of Object.entries(adamwScalars(this.t + 1, lr, this.adamw))) feeds[name] = scalarTensor(value);
    const out = await this.session.run(feeds, outputs);
    this.t += 1;
    return out;
  }

  /** A copy of every parameter by HF name (for saving and evaluation). */
  weights(): Record<string, RawTensor> {
    return Object.fromEntries(this.stepGraph.params.map((p) => [p.name, this.session.state.read(p.name)]));
  }

  /** Replaces the parameters (every one must be given). */
  setWeights(weights: Record<string, ArrayLike<number>>): void {
    for (const p of this.stepGraph.params) {
      const w = weights[p.name];
      if (!w) throw new Error(`no initial weights for "${p.name}"`);
      this.session.state.set(p.name, w);
    }
  }

  /** The moments and step count, as AdamW.stateToRaw() writes them. */
  optimizerState(): { step: number; tensors: Record<string, RawTensor> } {
    const tensors: Record<string, RawTensor> = {};
    for (const kind of ["m", "v"] as const) for (const p of this.stepGraph.params) tensors[momentName(kind, p.name)] = this.session.state.read(momentName(kind, p.name));
    return { step: this.t, tensors };
  }

  /** Restores what optimizerState() (or AdamW.stateToRaw()) produced; moments it lacks start at zero. */
  loadOptimizerState(state: { step: number; tensors: Record<string, RawTensor> }): void {
    this.t = state.step;
    for (const kind of ["m", "v"] as const) {
      for (const p of this.stepGraph.params) {
        const name = momentName(kind, p.name);
        this.session.state.set(name, state.tensors[name]?.data ?? new Float32Array(p.shape.reduce((a, b) => a * b, 1)));
      }
    }
  }

  /** MiB of parameters and moments (and the lean step's gradients) held in JS. */
  get stateMiB(): number {
    return this.session.state.bytes / 2 ** 20;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Dense model inputs of a fixed [batch, seq]: an all-ones attention mask and positions 0..seq-1. */
export function denseModelFeeds(batch: number, seq: number): Record<string, ort.Tensor> {
  return {
    attention_mask: int64Tensor(new Array(batch * seq).fill(1), [batch, seq]),
    position_ids: int64Tensor(Array.from({ length: batch * seq }, (_, i) => i % seq), [batch, seq]),
  };
}

/** The language-modelling engine: next-token loss (optionally masked) in the graph. */
export class OrtTrainer extends OrtStepTrainer {
  private readonly dense: Record<string, ort.Tensor>;

  // The shape only: holding the options would keep the initial weights alive all run (4 bytes per parameter).
  private constructor(session: StepSession, step: StepGraph, private readonly o: Pick<OrtTrainerOptions, "batch" | "seq" | "completionMask">, adamw: AdamWOptions, threads: number) {
    super(session, step, adamw, threads);
    this.dense = denseModelFeeds(o.batch, o.seq);
  }

  static async create(o: OrtTrainerOptions): Promise<OrtTrainer> {
    const step = o.stepGraph ?? lmStepFor(o);
    const { session, threads } = await OrtStepTrainer.open(step, o);
    const trainer = new OrtTrainer(session, step, { batch: o.batch, seq: o.seq, completionMask: o.completionMask }, o.adamw, threads);
    trainer.setWeights(o.weights);
    return trainer;
  }

  /** One optimizer step on `batch` at learning rate `lr`; the loss is the one before the update. */
  async step(batch: OrtLmBatch, lr: number): Promise<{ loss: number; gradNorm: number }> {
    const { batch: rows, seq } = this.o;
    if (batch.inputs.length !== rows || batch.inputs.some((r) => r.length !== seq)) throw new Error(`this step graph trains [${rows}, ${seq}] batches`);
    const feeds: Record<string, ort.Tensor> = {
      ...this.dense,
      input_ids: int64Tensor(batch.inputs.flat(), [rows, seq]),
      [LM_TARGETS]: int64Tensor(batch.targets.flat(), [rows, seq]),
    };
    if (this.o.completionMask) {
      if (!batch.mask) throw new Error("this step graph weighs the loss by a mask: give batch.mask");
      feeds[LM_LOSS_MASK] = new ort.Tensor("float32", Float32Array.from(batch.mask.flat()), [rows, seq]);
    }
    const out = await this.update(feeds, lr, [LM_LOSS, GRAD_NORM]);
    return { loss: floatData(out[LM_LOSS]!)[0]!, gradNorm: floatData(out[GRAD_NORM]!)[0]! };
  }
}
