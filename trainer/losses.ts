// Language-model losses as small pure functions of tensors. The target log-prob is picked with a
// one-hot product rather than a gather, because gather's gradient needs UnsortedSegmentSum,
// which the wasm backend lacks.
import * as tf from "@tensorflow/tfjs-core";

/** log p(target_t | ...) for every position: logits [batch, seq, vocab], targets [batch, seq] int32 → [batch, seq]. */
export function tokenLogprobs(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  const vocab = logits.shape[logits.rank - 1] as number;
  const logp = tf.logSoftmax(logits); // [batch, seq, vocab]
  return tf.sum(tf.mul(logp, tf.oneHot(tf.cast(targets, "int32"), vocab)), -1); // [batch, seq]
}

/** Mean next-token cross-entropy over positions where mask = 1 (mask [batch, seq] float). */
export function lmLoss(logits: tf.Tensor, targets: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  const nll = tf.neg(tokenLogprobs(logits, targets)); // [batch, seq]
  if (!mask) return tf.mean(nll);
  return tf.div(tf.sum(tf.mul(nll, mask)), tf.maximum(tf.sum(mask), 1));
}
