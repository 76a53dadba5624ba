// SFT batches as the ONNX Runtime step graph's fixed-shape rows: [batchSize, seq] next-token
// inputs and targets, right-padded (a causal model's real positions never see the padding after
// them, so their log-probs are those of the tfjs path's per-batch padding), and the completion
// mask the loss is weighted by: Σ mask·NLL / Σ mask is sftBatch's token-weighted mean. Rows
// missing from a short last batch are all padding with an empty mask.
import type { OrtLmBatch } from "../onnx-train/ort-trainer";
import type { TokenizedCompletion } from "../policy/sequences";

/** The step length an SFT run's rows need: its longest prompt + completion, less the last token. */
export function sftStepLength(rows: readonly TokenizedCompletion[]): number {
  return Math.max(1, ...rows.map((r) => r.promptIds.length + r.completionIds.length - 1));
}

export function sftLmBatch(rows: readonly TokenizedCompletion[], batchSize: number, seq: number, padId: number): OrtLmBatch & { mask: number[][]; metrics: Record<string, number> } {
  const inputs: number[][] = [];
  const targets: number[][] = [];
  const mask: number[][] = [];
  for (let b = 0; b < batchSize; b++) {
    const row = rows[b];
    const ids = row ? [...row.promptIds, ...row.completionIds] : [];
    if (ids.length > seq + 1) throw new Error(`an SFT row of ${ids.length} tokens is longer than the step's ${seq + 1}`);
    const padded = [...ids, ...Array(seq + 1 - ids.length).fill(padId)];
    const [start, end] = row ? [row.promptIds.length, ids.length] : [0, 0];
    inputs.push(padded.slice(0, seq));
    targets.push(padded.slice(1));
    mask.push(Array.from({ length: seq }, (_, t) => (t + 1 >= start && t + 1 < end ? 1 : 0)));
  }
  return { inputs, targets, mask, metrics: { tokens: rows.reduce((s, r) => s + r.completionIds.length, 0) } };
}
