// One ONNX Runtime session that runs a whole training step: the trained state (parameters and
// AdamW moments) goes in as graph inputs and comes out updated as `next/*` outputs, so a single
// session serves every step and no weight is ever an initializer.
//
// What ORT's Node API copies (onnxruntime-node 1.30, CPU): a feed is wrapped over its typed
// array's memory, no copy. An output is computed into memory ORT allocates (its arena), unless
// `fetches` hands it a pre-allocated ort.Tensor, which ORT writes instead; either way the binding
// then returns every fetched output as a fresh copy in a new JS ArrayBuffer (measured: the
// returned tensor's buffer is never the pre-allocated one). So the state lives in two sets of
// JS-owned tensors: a step reads one set and has ORT write the next values into the other (no
// arena memory for them), then the sets swap; the binding's copies of the state outputs are
// dropped at once (one memcpy of the state per step that the Node API leaves no way around). A
// set is never both read and written by one run: ORT does not promise to finish reading an input
// before it writes an output that aliases it (a single set would save a third of the state).
// That is 36+ bytes per parameter: the memory-lean session (./lean-step-session.ts) holds one set
// instead, for large models (./memory-mode.ts chooses).
import * as ort from "onnxruntime-node";
import { OnnxSession, type SessionConfig } from "../onnx/session";
import type { RawTensor } from "../checkpoint/safetensors";
import { nextName } from "./adamw-graph";

/** A state value's name and static shape. */
export interface StateSpec {
  name: string;
  shape: number[];
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** What the trainers read and write of a step's state (parameters and moments), however it is held. */
export interface TrainingState {
  /** Overwrites a current value (loading weights or optimizer state). */
  set(name: string, data: ArrayLike<number>): void;
  /** A copy of a current value. */
  read(name: string): RawTensor;
  /** The current value itself, valid until the next step (for a forward-only session sharing it). */
  view(name: string): ort.Tensor;
  /** Float32 bytes held. */
  readonly bytes: number;
}

/** How a step holds its state: "fused" (AdamW in the step graph, two state sets) or "lean" (one set, AdamW in chunks). */
export type StepMemoryMode = "fused" | "lean";

/** A session that runs whole training steps and carries the state they update. */
export interface StepSession {
  readonly state: TrainingState;
  readonly mode: StepMemoryMode;
  /**
   * One step: `feeds` (the batch and AdamW's scalars) beside the current state; returns the
   * outputs named in `outputs` (copied out by ORT) after the state has moved on.
   */
  run(feeds: Record<string, ort.Tensor>, outputs: string[]): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

/** Two sets of float32 tensors for the state: the current values and the buffers of the next ones. */
export class DoubleBufferedState implements TrainingState {
  private current: Record<string, ort.Tensor> = {};
  private spare: Record<string, ort.Tensor> = {};

  constructor(readonly specs: StateSpec[]) {
    for (const s of specs) {
      this.current[s.name] = new ort.Tensor("float32", new Float32Array(sizeOf(s.shape)), s.shape);
      this.spare[s.name] = new ort.Tensor("float32", new Float32Array(sizeOf(s.shape)), s.shape);
    }
  }

  /** Feeds of the current values (views, not copies). */
  feeds(): Record<string, ort.Tensor> {
    return { ...this.current };
  }

  /** Fetches that make ORT write each next value into the spare buffer. */
  fetches(): Record<string, ort.Tensor> {
    return Object.fromEntries(this.specs.map((s) => [nextName(s.name), this.spare[s.name]]));
  }

  /** After a run: the values just written become current. */
  swap(): void {
    [this.current, this.spare] = [this.spare, this.current];
  }

  /** Overwrites a current value (loading weights or optimizer state). */
  set(name: string, data: ArrayLike<number>): void {
    const target = this.current[name];
    if (!target) throw new Error(`no state value "${name}"`);
    if (data.length !== target.size) throw new Error(`state "${name}": ${data.length} values for [${target.dims}]`);
    (target.data as Float32Array).set(data);
  }

  /** A copy of a current value (the buffers are rewritten two steps later). */
  read(name: string): RawTensor {
    const t = this.current[name];
    if (!t) throw new Error(`no state value "${name}"`);
    return { shape: [...t.dims], data: (t.data as Float32Array).slice() };
  }

  /** The current value itself, valid until the next step (for a forward-only session sharing it). */
  view(name: string): ort.Tensor {
    return this.current[name]!;
  }

  /** Float32 bytes held (both sets). */
  get bytes(): number {
    return this.specs.reduce((n, s) => n + 2 * 4 * sizeOf(s.shape), 0);
  }
}

/** A session over a fused step graph (AdamW inside) and the state it carries from step to step. */
export class FusedStepSession implements StepSession {
  readonly mode = "fused";

  private constructor(
    private readonly session: OnnxSession,
    readonly state: DoubleBufferedState,
  ) {}

  static async create(model: Uint8Array, state: StateSpec[], config: SessionConfig = {}): Promise<FusedStepSession> {
    // Without ORT's memory pattern, as the lean step (measured there, and here: GPT-2 small 6.0
    // instead of 7.2 GiB and 8.1 instead of 12.2 CPU s/step; the built-in policy 0.064 instead
    // of 0.105 CPU s/step).
    return new FusedStepSession(await OnnxSession.create(model, { ...config, memoryPattern: false }), new DoubleBufferedState(state));
  }

  async run(feeds: Record<string, ort.Tensor>, outputs: string[]): Promise<Record<string, ort.Tensor>> {
    const fetches: Record<string, ort.Tensor | null> = { ...this.state.fetches() };
    for (const name of outputs) fetches[name] = null;
    const result = await this.session.run({ ...feeds, ...this.state.feeds() }, fetches);
    this.state.swap();
    return Object.fromEntries(outputs.map((name) => [name, result[name]!]));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** A float32 scalar feed. */
export const scalarTensor = (value: number): ort.Tensor => new ort.Tensor("float32", Float32Array.of(value), []);
