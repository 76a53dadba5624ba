/**
 * The text a neural reward model reads for one (prompt, completion): one function for training
 * and scoring, so a model is always scored on exactly the kind of sequence it learned from.
 */
import { encodeSequence } from "../tokenizer/sequence-start";
import type { Tokenizer } from "../tokenizer/tokenizer";

/**
 * Prompt and completion as one transcript. Imported HH-RLHF prompts end in "Assistant:" and the
 * answer carries its own leading space, so they join as they are; otherwise a newline keeps the
 * prompt's last word and the answer's first apart.
 */
export function rewardText(prompt: string, completion: string): string {
  if (prompt === "" || /\s$/.test(prompt) || /^\s/.test(completion)) return prompt + completion;
  return `${prompt}\n${completion}`;
}

/**
 * Token ids of the transcript, started as the checkpoint's tokenizer starts a sequence (Llama's
 * BOS), followed by end-of-text: the head reads the last token, and an explicit end marks "the
 * answer is complete here" the same way for every answer.
 */
export function rewardTokens(tokenizer: Tokenizer, prompt: string, completion: string): number[] {
  return [...encodeSequence(tokenizer, rewardText(prompt, completion)), tokenizer.eosId];
}
