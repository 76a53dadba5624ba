// AdamW (decoupled weight decay) with global-norm gradient clipping, over named tfjs variables.
// Matrices and embeddings decay; biases and layer-norm gains do not (as nanoGPT groups them).
import * as tf from "@tensorflow/tfjs-core";
import type { RawTensor } from "../checkpoint/safetensors";

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0: no clipping). */
  gradClip: number;
  /** Added to sqrt(v̂) so tiny second moments do not blow the step up. */
  epsilon?: number;
}

export class AdamW {
  private m = new Map<string, tf.Tensor>();
  private v = new Map<string, tf.Tensor>();
  /** Steps taken so far (bias correction uses it). */
  t = 0;

  constructor(private readonly options: AdamWOptions) {}

  /** Applies one update in place; returns the gradient's global norm before clipping. */
  step(params: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): number {
    const { beta1, beta2, weightDecay, gradClip } = this.options;
    const eps = this.options.epsilon ?? 1e-8;
    const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
    const scale = gradClip > 0 && norm > gradClip ? gradClip / norm : 1;
    this.t += 1;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (const [name, p] of Object.entries(params)) {
      const g0 = grads[name];
      if (!g0) continue;
      tf.tidy(() => {
        const g = tf.mul(g0, scale);
        const m = tf.add(tf.mul(this.m.get(name) ?? tf.zerosLike(p), beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v.get(name) ?? tf.zerosLike(p), beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        const decay = p.rank >= 2 ? tf.mul(p, weightDecay) : tf.scalar(0);
        p.assign(tf.sub(p, tf.mul(tf.add(update, decay), lr)));
        this.replace(this.m, name, tf.keep(m));
        this.replace(this.v, name, tf.keep(v));
      });
    }
    return norm;
  }

  private replace(store: Map<string, tf.Tensor>, name: string, t: tf.Tensor): void {
    store.get(name)?.dispose();
    store.set(name, t);
  }

  /** Moments as plain tensors ("m.<name>", "v.<name>") for a resumable checkpoint. */
  stateToRaw(): { step: number; tensors: Record<string, RawTensor> } {
    const tensors: Record<string, RawTensor> = {};
    for (const [kind, store] of [["m", this.m], ["v", this.v]] as const) {
      for (const [name, t] of store) tensors[`${kind}.${name}`] = { shape: t.shape.slice(), data: t.dataSync() as Float32Array };
    }
    return { step: this.t, tensors };
  }

  /** Restores what stateToRaw produced. */
  loadRaw(state: { step: number; tensors: Record<string, RawTensor> }): void {
    this.dispose();
    this.t = state.step;
    for (const [key, raw] of Object.entries(state.tensors)) {
      const [kind, ...rest] = key.split(".");
      (kind === "m" ? this.m : this.v).set(rest.join("."), tf.tensor(raw.data, raw.shape, "float32"));
    }
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const store of [this.m, this.v]) {
      for (const t of store.values()) t.dispose();
      store.clear();
    }
  }
}
