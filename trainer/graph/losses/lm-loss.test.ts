// The IR LM loss gives the same numbers as trainer/losses.ts's lmLoss (what tfjs training uses).
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../backend";
import { lmLoss } from "../../losses";
import { seededValues } from "../../onnx/testing";
import { GraphBuilder } from "../builder";
import { tfjsRun } from "../gradient-testing";
import { addLmLoss, withLmLoss } from "./lm-loss";

const [batch, seq, vocab] = [2, 4, 6];
const logits = Array.from(seededValues(batch * seq * vocab, 5), (v) => 3 * v);
const ids = [1, 5, 0, 2, 4, 4, 3, 1];
const mask = [1, 1, 1, 0, 0, 1, 1, 1];

/** lmLoss on logits[:, :-1] vs ids[:, 1:] (mask[:, 1:]): the next-token alignment done by hand. */
function reference(masked: boolean): number {
  return tf.tidy(() => {
    const l = tf.slice(tf.tensor3d(logits, [batch, seq, vocab]), [0, 0, 0], [batch, seq - 1, vocab]);
    const t = tf.slice(tf.tensor2d(ids, [batch, seq], "int32"), [0, 1], [batch, seq - 1]);
    const m = masked ? tf.slice(tf.tensor2d(mask, [batch, seq]), [0, 1], [batch, seq - 1]) : undefined;
    return lmLoss(l, t, m).dataSync()[0];
  });
}

describe("IR LM loss", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it.each([false, true])("matches lmLoss with shift (masked: %s)", (masked) => {
    const g = new GraphBuilder("loss-only");
    g.input("logits", "float32", [batch, seq, vocab]);
    const graph = withLmLoss(g.build(), { masked, shift: true });
    const values = {
      logits: { dtype: "float32" as const, shape: [batch, seq, vocab], data: logits },
      targets: { dtype: "int64" as const, shape: [batch, seq], data: ids },
      loss_mask: { dtype: "float32" as const, shape: [batch, seq], data: mask },
    };
    expect(tfjsRun(graph, values, ["loss"]).loss[0]).toBeCloseTo(reference(masked), 5);
  });

  it("without shift, targets are aligned with the logits positions as given", () => {
    const g = new GraphBuilder("aligned");
    const l = g.input("logits", "float32", [batch, seq, vocab]);
    const t = g.input("targets", "int64", [batch, seq]);
    g.output(addLmLoss(g, { logits: l, targets: t, out: "nll" }), "float32", []);
    const got = tfjsRun(g.build(), { logits: { dtype: "float32", shape: [batch, seq, vocab], data: logits }, targets: { dtype: "int64", shape: [batch, seq], data: ids } }, ["nll"]).nll[0];
    const want = tf.tidy(() => lmLoss(tf.tensor3d(logits, [batch, seq, vocab]), tf.tensor2d(ids, [batch, seq], "int32")).dataSync()[0]);
    expect(got).toBeCloseTo(want, 5);
  });
});
