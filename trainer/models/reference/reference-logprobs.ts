// preflab's side of reference_logprobs.py: the PyTorch log-probs of an HF checkpoint directory
// (GPT-2, Llama, Qwen2) for token ids, which `preflab model logprobs` is tested against.
import { fileURLToPath } from "node:url";
import { runTorchScript } from "./torch-python";

const SCRIPT = fileURLToPath(new URL("./reference_logprobs.py", import.meta.url));

export interface ReferenceOptions {
  /** float64 instead of float32: the exact answer an fp32 implementation is held to. */
  double?: boolean;
}

/** Each token's log-prob given the ones before it (the first has none), as `model logprobs --text` prints. */
export async function referenceTextLogprobs(dir: string, tokenIds: number[], o: ReferenceOptions = {}): Promise<Array<number | null>> {
  const out = await runTorchScript(SCRIPT, [dir, "--ids", tokenIds.join(","), ...(o.double ? ["--double"] : [])]);
  return (JSON.parse(out) as { logprobs: Array<number | null> }).logprobs;
}

export interface ReferenceCompletion {
  /** Sum of `logprobs`: log p(completion | prompt). */
  logprob: number;
  tokens: number;
  logprobs: number[];
}

/** Completion log-probs given prompts, as token ids (each prompt at least one token). */
export async function referenceCompletionLogprobs(dir: string, items: Array<{ promptIds: number[]; completionIds: number[] }>, o: ReferenceOptions = {}): Promise<ReferenceCompletion[]> {
  const input = JSON.stringify(items.map((it) => ({ prompt_ids: it.promptIds, completion_ids: it.completionIds })));
  const out = await runTorchScript(SCRIPT, [dir, ...(o.double ? ["--double"] : [])], input);
  return out.trim().split("\n").map((line) => JSON.parse(line) as ReferenceCompletion);
}
