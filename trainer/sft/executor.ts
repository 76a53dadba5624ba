// Executor of "sft" runs: completion-only fine-tuning on the project's corrected texts, chosen
// responses and imported demonstrations, from a chosen policy (never from scratch), on the one
// training loop; test loss and the held-out evaluation at the end, then a new policy version.
import { parseConfig } from "../parse-config";
import { loadSftExamples, describePolicyData } from "../dpo/data";
import { trainAndFinish } from "../policy/finish";
import { disposePolicyRun, policyAdamW, setUpPolicyRun, splitExamples } from "../policy/run-setup";
import { tokenizeCompletion } from "../policy/sequences";
import type { RunContext } from "../worker/run-context";
import { sftConfigSchema } from "./config";
import { sftBatch, sftObjective } from "./objective";
import { sftLmBatch, sftStepLength } from "./ort-batch";
import { describeOrtEngine, resolveLmEngine } from "../onnx-train/engine";
import { withOrtEngine } from "../onnx-train/lm-engine";
import type { OrtTrainer } from "../onnx-train/ort-trainer";

export async function sftExecutor(ctx: RunContext): Promise<void> {
  const c = parseConfig("sft", sftConfigSchema, ctx.config);
  if (ctx.run.projectId === null) throw new Error("an sft run needs a project: its corrections and chosen answers are the training data");
  const s = await setUpPolicyRun(ctx, c);
  let ort: OrtTrainer | undefined;
  try {
    ctx.info({ backend: s.backend });
    const sft = loadSftExamples(ctx.db, ctx.run.projectId, c);
    ctx.progress({ step: ctx.resumeFrom?.step ?? 0, message: `sft on ${describePolicyData({ sft })}` });
    if (sft.length === 0) throw new Error(`the project has no ${c.sources.join(", ")} to imitate: label or import some first`);
    const examples = sft
      .map((e) => ({ prompt: e.prompt, row: tokenizeCompletion(s.policy.setup.tokenizer, e.prompt, e.completion, s.limits) }))
      .filter((e) => e.row.completionIds.length > 0);
    const split = splitExamples(examples, (e) => e.prompt, c, "SFT examples");
    let objective = sftObjective(s.policy, split, c);
    const seq = sftStepLength(split.train.map((e) => e.row));
    const adamw = policyAdamW(c);
    const { engine, stepGraph } = await resolveLmEngine(c.engine, {
      graph: s.policy.setup.model.graph, batch: c.batchSize, seq, adamw, completionMask: true,
      ortRefusal: c.lora ? "LoRA adapters train on TensorFlow.js only" : undefined,
    });
    if (engine.kind === "onnx") {
      const padId = s.policy.padId;
      ({ objective, trainer: ort } = await withOrtEngine(objective, {
        model: s.policy.setup.model, adamw, batch: c.batchSize, seq, provider: engine.provider, threads: engine.threads, stepGraph, completionMask: true,
        toLmBatch: (batch) => sftLmBatch(batch.map((e) => e.row), c.batchSize, seq, padId),
      }));
      ctx.info({ backend: describeOrtEngine(engine.provider, engine.threads) });
    }
    await trainAndFinish(ctx, s, c, split, objective, (b) => sftBatch(s.policy, b));
  } finally {
    await ort?.release();
    disposePolicyRun(s);
  }
}
