// Preference data as the DPO-family objectives train on it: token ids (truncated once, so the
// reference pass and the policy see the same tokens) with their reference log-probs attached.
import type { Tokenizer } from "../tokenizer/tokenizer";
import { tokenizeCompletion, type TokenizedCompletion, type TruncationLimits } from "../policy/sequences";
import type { PreferencePair, RankedList } from "./data";

export interface PairExample {
  prompt: string;
  chosen: TokenizedCompletion;
  rejected: TokenizedCompletion;
  weight: number;
  /** Σ log π_ref of each completion (0 for the reference-free losses). */
  refChosen: number;
  refRejected: number;
}

export interface ListExample {
  prompt: string;
  /** Best first. */
  ranked: TokenizedCompletion[];
  refs: number[];
}

/** A completion truncated to nothing teaches nothing (and has no log-prob): such examples are dropped. */
const usable = (c: TokenizedCompletion) => c.completionIds.length > 0;

export function tokenizePairs(tokenizer: Tokenizer, pairs: readonly PreferencePair[], limits: TruncationLimits): PairExample[] {
  return pairs
    .map((p) => ({
      prompt: p.prompt,
      chosen: tokenizeCompletion(tokenizer, p.prompt, p.chosen, limits),
      rejected: tokenizeCompletion(tokenizer, p.prompt, p.rejected, limits),
      weight: p.weight,
      refChosen: 0,
      refRejected: 0,
    }))
    .filter((e) => usable(e.chosen) && usable(e.rejected));
}

export function tokenizeLists(tokenizer: Tokenizer, lists: readonly RankedList[], limits: TruncationLimits): ListExample[] {
  return lists
    .map((l) => ({ prompt: l.prompt, ranked: l.ranked.map((text) => tokenizeCompletion(tokenizer, l.prompt, text, limits)), refs: l.ranked.map(() => 0) }))
    .filter((e) => e.ranked.every(usable));
}

/** Every completion whose reference log-prob a set of examples needs, in a fixed order. */
export function pairRows(examples: readonly PairExample[]): TokenizedCompletion[] {
  return examples.flatMap((e) => [e.chosen, e.rejected]);
}

export function attachPairReferences(examples: PairExample[], refs: Float64Array): void {
  examples.forEach((e, i) => {
    e.refChosen = refs[2 * i]!;
    e.refRejected = refs[2 * i + 1]!;
  });
}

export function listRows(examples: readonly ListExample[]): TokenizedCompletion[] {
  return examples.flatMap((e) => e.ranked);
}

export function attachListReferences(examples: ListExample[], refs: Float64Array): void {
  let at = 0;
  for (const e of examples) e.refs = e.ranked.map(() => refs[at++]!);
}
