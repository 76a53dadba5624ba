/**
 * The neural reward model's scalar head: r = score.weight · h_last, where h_last is the backbone's
 * final hidden state (after ln_f) at each row's last non-padding token. Named and shaped as
 * Hugging Face's GPT2ForSequenceClassification with num_labels = 1 ("score.weight" [1, n_embd],
 * no bias), so a saved reward model opens in transformers as a sequence classifier.
 * The last token is picked by a one-hot product, not a gather: gather's gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks.
 */
import * as tf from "@tensorflow/tfjs-core";
import { createRng, standardNormal } from "../../stats/random";

export const SCORE_WEIGHT = "score.weight";

/** Position of each row's last 1 in the mask (left or right padding alike); 0 for an empty row. */
export function lastTokenIndex(mask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const seq = mask.shape[1];
    const positions = tf.range(0, seq, 1, "float32"); // [seq]
    return tf.cast(tf.max(tf.mul(tf.cast(mask, "float32"), positions), 1), "int32") as tf.Tensor1D; // [batch]
  });
}

/** Hidden state at each row's last non-padding token: [batch, seq, embd] → [batch, embd]. */
export function lastTokenHidden(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const pick = tf.oneHot(lastTokenIndex(mask), hidden.shape[1]).toFloat(); // [batch, seq]
    return tf.sum(tf.mul(hidden, tf.expandDims(pick, 2)), 1) as tf.Tensor2D; // [batch, embd]
  });
}

/** Rewards of a batch: [batch, seq, embd] hidden states and [batch, seq] mask → [batch]. */
export function rewardFromHidden(hidden: tf.Tensor3D, mask: tf.Tensor2D, scoreWeight: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const last = lastTokenHidden(hidden, mask); // [batch, embd]
    return tf.squeeze(tf.matMul(last, scoreWeight, false, true), [1]) as tf.Tensor1D; // [batch, 1] → [batch]
  });
}

/**
 * A fresh head, N(0, 1/n_embd): rewards start at unit scale whatever the width, as with
 * a default-initialised linear layer; seeded for reproducible runs.
 */
export function initScoreWeight(embd: number, seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  const values = Float32Array.from({ length: embd }, () => standardNormal(rng) / Math.sqrt(embd));
  return tf.tensor2d(values, [1, embd]); // [1, embd]
}
