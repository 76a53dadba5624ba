// The memory-lean training step, for large models (./memory-mode.ts) where the fused step
// (./step-session.ts: two state sets plus the binding's copy of one, 36+ bytes per parameter)
// would not fit or costs more: the state is ONE set of flat float32 buffers (parameters, m, v)
// plus one of gradients, 16 bytes per parameter.
// 1. The step session runs forward and backward and outputs every gradient and their global norm
//    (step-graph.ts leanGraph); ORT writes the gradients straight into views of the flat
//    gradient buffer (pre-allocated fetches); the binding's copy of them (4 bytes per parameter,
//    what the Node API always returns) is dropped at once.
// 2. AdamW runs as a second, small session over fixed-size chunks of the flat buffers
//    (adamw-graph.ts buildChunkAdamWGraph: the same update as the fused graph's), fed views of
//    the chunk and the step's norm; it writes into a spare chunk that is copied back into the
//    state, since ORT does not promise to read an input before writing an output aliasing it.
// The gradient session runs without ORT's memory pattern: measured at GPT-2 small (nproc = 2, load
// 4–6, two runs each) it peaks at 4.0 GiB instead of 4.9 and takes 6.8–7.2 CPU s/step instead of
// 11.3–11.6 (GPT-2 medium: 9.1 GiB instead of 10.9). Turning the CPU arena off instead (memory
// pattern on) gave 8.8 GiB at medium but 35.3 CPU s/step instead of 28.5. (The arena's extend
// strategy is not reachable from the Node API: its CPU provider takes `useArena` only.)
// The parameters AdamW decays (rank ≥ 2) come first in the flat layout and the others after, and
// no chunk spans both, so a chunk either decays or not; the last chunk of each group is shorter
// (a session per chunk length: at most three).
import * as ort from "onnxruntime-node";
import type { RawTensor } from "../checkpoint/safetensors";
import { gradName } from "../graph/autodiff";
import { OnnxSession, type SessionConfig } from "../onnx/session";
import type { AdamWOptions } from "../train/optimizer";
import { ADAMW_INPUTS, buildChunkAdamWGraph, CHUNK, decaysByRank, GRAD_NORM, momentName, nextName, type UpdatedParam } from "./adamw-graph";
import { stepModelBytes } from "./step-graph";
import { scalarTensor, type StepSession, type TrainingState } from "./step-session";

/** Floats per AdamW chunk by default: 16 MiB per buffer, so the chunk session's own memory stays small. */
export const DEFAULT_CHUNK_SIZE = 1 << 22;

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A contiguous run of the flat buffers that one AdamW chunk run updates. */
interface Chunk {
  offset: number;
  size: number;
  decays: boolean;
}

/** Where each parameter lives in the flat buffers, and the chunks that cover them. */
export function flatLayout(params: UpdatedParam[], chunkSize: number): { offsets: Map<string, number>; chunks: Chunk[]; total: number } {
  const offsets = new Map<string, number>();
  const chunks: Chunk[] = [];
  let total = 0;
  for (const decays of [true, false]) {
    const start = total;
    for (const p of params.filter((q) => decaysByRank(q) === decays)) {
      offsets.set(p.name, total);
      total += sizeOf(p.shape);
    }
    for (let offset = start; offset < total; offset += chunkSize) chunks.push({ offset, size: Math.min(chunkSize, total - offset), decays });
  }
  return { offsets, chunks, total };
}

/** Parameters, moments and gradients as four flat buffers; each named value a view into one. */
export class FlatState implements TrainingState {
  readonly params: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly grads: Float32Array;
  readonly chunks: Chunk[];
  /** Tensors over each state value's span (and each gradient's, named `grad/<param>`). */
  private readonly views = new Map<string, ort.Tensor>();

  constructor(readonly specs: UpdatedParam[], chunkSize: number) {
    const layout = flatLayout(specs, chunkSize);
    this.chunks = layout.chunks;
    [this.params, this.m, this.v, this.grads] = [0, 1, 2, 3].map(() => new Float32Array(layout.total));
    for (const p of specs) {
      const offset = layout.offsets.get(p.name)!;
      const view = (buffer: Float32Array) => new ort.Tensor("float32", buffer.subarray(offset, offset + sizeOf(p.shape)), p.shape);
      this.views.set(p.name, view(this.params));
      this.views.set(momentName("m", p.name), view(this.m));
      this.views.set(momentName("v", p.name), view(this.v));
      this.views.set(gradName(p.name), view(this.grads));
    }
  }

  view(name: string): ort.Tensor {
    return this.views.get(name) ?? fail(`no state value "${name}"`);
  }

  set(name: string, data: ArrayLike<number>): void {
    const target = this.view(name);
    if (data.length !== target.size) throw new Error(`state "${name}": ${data.length} values for [${target.dims}]`);
    (target.data as Float32Array).set(data);
  }

  read(name: string): RawTensor {
    const t = this.view(name);
    return { shape: [...t.dims], data: (t.data as Float32Array).slice() };
  }

  /** Feeds of every parameter (views). */
  paramFeeds(): Record<string, ort.Tensor> {
    return Object.fromEntries(this.specs.map((p) => [p.name, this.view(p.name)]));
  }

  /** Fetches that make ORT write each gradient into the flat gradient buffer. */
  gradFetches(): Record<string, ort.Tensor> {
    return Object.fromEntries(this.specs.map((p) => [gradName(p.name), this.view(gradName(p.name))]));
  }

  get bytes(): number {
    return 4 * 4 * this.params.length;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

/** The AdamW session of one chunk length, with the spare chunk ORT writes the next values into. */
class ChunkUpdater {
  private readonly spare: Record<string, ort.Tensor>;

  private constructor(private readonly session: OnnxSession, size: number) {
    this.spare = Object.fromEntries([CHUNK.param, momentName("m", CHUNK.param), momentName("v", CHUNK.param)].map((name) => [nextName(name), new ort.Tensor("float32", new Float32Array(size), [size])]));
  }

  static async create(size: number, adamw: AdamWOptions, config: SessionConfig): Promise<ChunkUpdater> {
    return new ChunkUpdater(await OnnxSession.create(stepModelBytes(buildChunkAdamWGraph(size, adamw)), config), size);
  }

  /** Updates `c` of the state in place from its gradients, the step's norm and AdamW scalars. */
  async update(state: FlatState, c: Chunk, scalars: Record<string, ort.Tensor>): Promise<void> {
    const span = (buffer: Float32Array) => new ort.Tensor("float32", buffer.subarray(c.offset, c.offset + c.size), [c.size]);
    const [p, m, v] = [CHUNK.param, momentName("m", CHUNK.param), momentName("v", CHUNK.param)];
    await this.session.run({ ...scalars, [p]: span(state.params), [m]: span(state.m), [v]: span(state.v), [CHUNK.grad]: span(state.grads) }, this.spare);
    state.params.set(this.spare[nextName(p)]!.data as Float32Array, c.offset);
    state.m.set(this.spare[nextName(m)]!.data as Float32Array, c.offset);
    state.v.set(this.spare[nextName(v)]!.data as Float32Array, c.offset);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** The step's AdamW scalar feeds, taken out of the feeds the step session does not read. */
function splitScalars(feeds: Record<string, ort.Tensor>): { model: Record<string, ort.Tensor>; scalars: Record<string, ort.Tensor> } {
  const names = new Set<string>(Object.values(ADAMW_INPUTS));
  const model: Record<string, ort.Tensor> = {};
  const scalars: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) (names.has(name) ? scalars : model)[name] = t;
  return { model, scalars };
}

/** A lean step: the gradient session, then AdamW chunk by chunk over one flat state. */
export class LeanStepSession implements StepSession {
  readonly mode = "lean";
  private readonly noDecay = scalarTensor(1);

  private constructor(
    private readonly gradients: OnnxSession,
    private readonly updaters: Map<number, ChunkUpdater>,
    readonly state: FlatState,
  ) {}

  /** `model`: the bytes of step-graph.ts leanGraph(); `chunkSize` floats per AdamW run. */
  static async create(model: Uint8Array, params: UpdatedParam[], adamw: AdamWOptions, config: SessionConfig = {}, chunkSize = DEFAULT_CHUNK_SIZE): Promise<LeanStepSession> {
    const state = new FlatState(params, chunkSize);
    const updaters = new Map<number, ChunkUpdater>();
    for (const size of new Set(state.chunks.map((c) => c.size))) updaters.set(size, await ChunkUpdater.create(size, adamw, config));
    return new LeanStepSession(await OnnxSession.create(model, { ...config, memoryPattern: false }), updaters, state);
  }

  async run(feeds: Record<string, ort.Tensor>, outputs: string[]): Promise<Record<string, ort.Tensor>> {
    const { model, scalars } = splitScalars(feeds);
    const fetches: Record<string, ort.Tensor | null> = { ...this.state.gradFetches(), [GRAD_NORM]: null };
    for (const name of outputs) fetches[name] = null;
    const result = await this.gradients.run({ ...model, ...this.state.paramFeeds() }, fetches);
    const kept = Object.fromEntries(outputs.map((name) => [name, result[name]!]));
    const chunkScalars = { ...scalars, [CHUNK.norm]: result[GRAD_NORM]! };
    for (const c of this.state.chunks) {
      await this.updaters.get(c.size)!.update(this.state, c, c.decays ? chunkScalars : { ...chunkScalars, [ADAMW_INPUTS.decay]: this.noDecay });
    }
    return kept;
  }

  async release(): Promise<void> {
    for (const u of this.updaters.values()) await u.release();
    await this.gradients.release();
  }
}
