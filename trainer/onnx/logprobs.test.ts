import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGpt2Graph } from "../models/gpt2";
import { exportModel } from "./export";
import { causalLmShape, OnnxCausalLm } from "./forward";
import { completionLogprobs, planLogprobBatches, sequenceLogprobs, tokenLogprob } from "./logprobs";
import { randomWeights, tfjsOutputs, TINY_GPT2 } from "./testing";

const vocab = TINY_GPT2.vocab_size;
const weights = randomWeights(buildGpt2Graph(TINY_GPT2), 5);
let lm: OnnxCausalLm;

beforeAll(async () => {
  lm = await OnnxCausalLm.create(exportModel(TINY_GPT2, (n) => weights[n]), causalLmShape(TINY_GPT2), { intraOpNumThreads: 1 });
});
afterAll(() => lm.release());

/** Naive reference: tfjs logits of one unpadded sequence, then log-softmax by a scalar loop. */
async function referenceLogprobs(ids: number[]): Promise<Array<number | null>> {
  const n = ids.length;
  const graph = buildGpt2Graph(TINY_GPT2);
  const { logits } = await tfjsOutputs(graph, weights, {
    input_ids: { data: ids, shape: [1, n] },
    attention_mask: { data: ids.map(() => 1), shape: [1, n] },
    position_ids: { data: ids.map((_, t) => t), shape: [1, n] },
  }, ["logits"]);
  return ids.map((id, t) => {
    if (t === 0) return null;
    const row = Array.from(logits.slice((t - 1) * vocab, t * vocab));
    const logZ = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
    return row[id] - logZ;
  });
}

describe("ONNX log-probs", () => {
  const sequences = [[3, 1, 4, 1, 5, 9, 2, 6], [2, 7], [1, 8, 2, 8, 1], [5]];

  it("match tfjs + naive log-softmax per token, batched with padding in any order", async () => {
    const got = await sequenceLogprobs(lm, sequences, 3);
    for (const [i, ids] of sequences.entries()) {
      const want = await referenceLogprobs(ids);
      expect(got[i][0]).toBeNull();
      got[i].slice(1).forEach((lp, t) => expect(Math.abs((lp as number) - (want[t + 1] as number))).toBeLessThan(1e-4));
    }
  });

  it("do not depend on the batch a sequence lands in", async () => {
    const alone = await sequenceLogprobs(lm, [sequences[0]], 1);
    const together = await sequenceLogprobs(lm, sequences, 4);
    alone[0].slice(1).forEach((lp, t) => expect(Math.abs((lp as number) - (together[0][t + 1] as number))).toBeLessThan(1e-5));
  });

  it("completion log-probs are the completion's slice of the sequence log-probs, summed", async () => {
    const [res] = await completionLogprobs(lm, [{ promptIds: [3, 1, 4], completionIds: [1, 5, 9] }]);
    const full = await referenceLogprobs([3, 1, 4, 1, 5, 9]);
    expect(res.tokenIds).toEqual([1, 5, 9]);
    expect(res.logprobs).toHaveLength(3);
    res.logprobs.forEach((lp, t) => expect(Math.abs(lp - (full[3 + t] as number))).toBeLessThan(1e-4));
    expect(res.total).toBeCloseTo(res.logprobs.reduce((a, b) => a + b, 0), 10);
    expect(res.total).toBeLessThan(0);
  });

  it("tokenLogprob is log-softmax at one id: weights 1, 2, 3 give log(3/6), shift-invariant and stable", () => {
    const row = Float32Array.from([0, Math.log(2), Math.log(3)]);
    expect(tokenLogprob(row, 2)).toBeCloseTo(Math.log(0.5), 6);
    expect(tokenLogprob(row.map((v) => v + 1000), 0)).toBeCloseTo(Math.log(1 / 6), 4);
  });

  it("batch similar lengths together, within the row count and the logits memory budget", () => {
    expect(planLogprobBatches([5, 1, 3, 2], 2, 10)).toEqual([[1, 3], [2, 0]]);
    // GPT-2's vocabulary: two rows of 600 tokens would hand back 240 MB of logits, over the 128 MB cap.
    expect(planLogprobBatches([700, 600, 10], 8, 50257)).toEqual([[2], [1], [0]]);
    expect(planLogprobBatches([300, 200, 10], 8, 50257)).toEqual([[2, 1], [0]]);
  });

  it("reject empty prompts, out-of-vocabulary ids and sequences past the context", async () => {
    await expect(completionLogprobs(lm, [{ promptIds: [], completionIds: [1] }])).rejects.toThrow(/empty prompt/);
    await expect(sequenceLogprobs(lm, [[1, vocab]])).rejects.toThrow(/outside the model's vocabulary/);
    await expect(sequenceLogprobs(lm, [new Array(TINY_GPT2.n_positions + 1).fill(1)])).rejects.toThrow(/exceeds the model's context/);
  });
});
