// Prompt + completion as token ids, truncated the way TRL truncates (the prompt keeps its end, the
// completion its start), and the padded batch whose completion log-probs a policy run trains on.
// Tokenised once, before the reference pass, so reference and policy see exactly the same tokens.
import * as tf from "@tensorflow/tfjs-core";
import { completionLogprobTensor, logprobBatchFromIds, type IdRow } from "../logprobs";
import { encodePrompt, keepPromptEnd } from "../tokenizer/sequence-start";
import type { Tokenizer } from "../tokenizer/tokenizer";
import type { Graph } from "../graph/ir";

/** Prompt (started as the tokenizer starts a sequence, so never empty) and completion ids. */
export type TokenizedCompletion = IdRow;

export interface TruncationLimits {
  /** Tokens of prompt + completion kept. */
  maxLength: number;
  /** Prompt tokens kept (the prefix, then the text's end) when the pair is too long. */
  maxPromptLength: number;
}

/** Limits from a config (null: the model's context; the prompt gets half of it). */
export function truncationLimits(context: number, maxLength: number | null, maxPromptLength: number | null): TruncationLimits {
  const length = Math.min(context, maxLength ?? context);
  return { maxLength: length, maxPromptLength: Math.min(length - 1, maxPromptLength ?? Math.max(1, Math.floor(length / 2))) };
}

/** Tokenises prompt and completion separately (the completion's tokens never depend on the prompt's end). */
export function tokenizeCompletion(tokenizer: Tokenizer, prompt: string, completion: string, limits: TruncationLimits): TokenizedCompletion {
  let promptIds = encodePrompt(tokenizer, prompt);
  let completionIds = tokenizer.encode(completion);
  if (promptIds.length + completionIds.length > limits.maxLength) {
    promptIds = keepPromptEnd(tokenizer, promptIds, limits.maxPromptLength);
    completionIds = completionIds.slice(0, limits.maxLength - promptIds.length);
  }
  return { promptIds, completionIds };
}

/** Anything that runs the policy graph: its (effective) params by HF name. */
export interface PolicyForward {
  graph: Graph;
  params(): Record<string, tf.Tensor>;
  padId: number;
}

/** Summed completion log-probs, one per row: [rows] (differentiable in the params). */
export function sequenceLogps(policy: PolicyForward, rows: readonly TokenizedCompletion[]): tf.Tensor1D {
  const perToken = completionLogprobTensor({ graph: policy.graph, params: policy.params() }, logprobBatchFromIds(rows, policy.padId)); // [rows, seq-1]
  return tf.sum(perToken, 1) as tf.Tensor1D;
}

/** Completion token counts as a float tensor: [rows]. */
export function completionLengths(rows: readonly TokenizedCompletion[]): tf.Tensor1D {
  return tf.tensor1d(rows.map((r) => r.completionIds.length), "float32");
}
