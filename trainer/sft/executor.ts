// Executor of "sft" runs: completion-only fine-tuning on the project's corrected texts, chosen
// responses and imported demonstrations, from a chosen policy (never from scratch), on the one
// training loop; test loss and the held-out evaluation at the end, then a new policy version.
import { parseConfig } from "../parse-config";
import { loadSftExamples, describePolicyData } from "../dpo/data";
import { trainAndFinish } from "../policy/finish";
import { disposePolicyRun, setUpPolicyRun, splitExamples } from "../policy/run-setup";
import { tokenizeCompletion } from "../policy/sequences";
import type { RunContext } from "../worker/run-context";
import { sftConfigSchema } from "./config";
import { sftBatch, sftObjective } from "./objective";

export async function sftExecutor(ctx: RunContext): Promise<void> {
  const c = parseConfig("sft", sftConfigSchema, ctx.config);
  if (ctx.run.projectId === null) throw new Error("an sft run needs a project: its corrections and chosen answers are the training data");
  const s = await setUpPolicyRun(ctx, c);
  try {
    ctx.info({ backend: s.backend });
    const sft = loadSftExamples(ctx.db, ctx.run.projectId, c);
    ctx.progress({ step: ctx.resumeFrom?.step ?? 0, message: `sft on ${describePolicyData({ sft })}` });
    if (sft.length === 0) throw new Error(`the project has no ${c.sources.join(", ")} to imitate: label or import some first`);
    const examples = sft
      .map((e) => ({ prompt: e.prompt, row: tokenizeCompletion(s.policy.setup.tokenizer, e.prompt, e.completion, s.limits) }))
      .filter((e) => e.row.completionIds.length > 0);
    const split = splitExamples(examples, (e) => e.prompt, c, "SFT examples");
    await trainAndFinish(ctx, s, c, split, sftObjective(s.policy, split, c), (b) => sftBatch(s.policy, b));
  } finally {
    disposePolicyRun(s);
  }
}
