// Executor of "kto" runs: unpaired desirable / undesirable completions (db/kto-labels.ts, the same
// labels the `kto` export writes: both-bad makes both undesirable, corrections desirable), split by
// prompt, reference log-probs from the cache, the one training loop (on ONNX Runtime or
// TensorFlow.js, ./run-engine.ts), test metrics, a new policy.
import { parseConfig } from "../parse-config";
import { trainAndFinish } from "../policy/finish";
import type { OrtVjpTrainer } from "../onnx-train/vjp-trainer";
import { disposePolicyRun, policyAdamW, referenceFor, setUpPolicyRun, splitExamples } from "../policy/run-setup";
import type { RunContext } from "../worker/run-context";
import { ktoConfigSchema } from "./config";
import { describePolicyData, loadKtoExamples } from "./data";
import { ortEngineOptions } from "../onnx-train/vjp-trainer";
import { choosePolicyEngine } from "./run-engine";
import { attachKtoReferences, ktoBatch, ktoObjective, ktoRows, tokenizeKto } from "./kto-objective";
import { ktoSeededRows, ktoStepLength } from "./ort-kto";
import { withOrtSeeded } from "./ort-seeded";

export async function ktoExecutor(ctx: RunContext): Promise<void> {
  const c = parseConfig("kto", ktoConfigSchema, ctx.config);
  if (ctx.run.projectId === null) throw new Error("a kto run needs a project: its judgements are the training data");
  const s = await setUpPolicyRun(ctx, c);
  let ort: OrtVjpTrainer | undefined;
  try {
    ctx.info({ backend: s.backend });
    const kto = loadKtoExamples(ctx.db, ctx.run.projectId, c);
    ctx.progress({ step: ctx.resumeFrom?.step ?? 0, message: `kto (β=${c.beta}) on ${describePolicyData({ kto })}` });
    if (kto.length === 0) throw new Error("the project has no labelled answers for KTO (winners, losers, both-bad or corrections): label some tasks first");
    const examples = tokenizeKto(s.policy.setup.tokenizer, kto, s.limits);
    attachKtoReferences(examples, await referenceFor(ctx, s, ktoRows(examples)));
    const split = splitExamples(examples, (e) => e.prompt, c, "KTO examples");
    let objective = ktoObjective(s.policy, split, c);
    const seq = ktoStepLength(split.train);
    const engine = await choosePolicyEngine(ctx, s, c, { rows: 2 * c.batchSize, seq });
    if (engine.kind === "onnx") {
      const rows = ktoSeededRows(c, { batchSize: c.batchSize, seq, padId: s.policy.padId });
      ({ objective, trainer: ort } = await withOrtSeeded(objective, rows, { model: s.policy.setup.model, adamw: policyAdamW(c), seq, ...ortEngineOptions(engine) }));
    }
    await trainAndFinish(ctx, s, c, split, objective, (b) => ktoBatch(s.policy, b, c));
  } finally {
    await ort?.release();
    disposePolicyRun(s);
  }
}
