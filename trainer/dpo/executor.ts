// Executor of the offline preference kinds (dpo, ipo, simpo, orpo; any lossType, "listwise" on
// rankings): the project's pairs through the one derivation, split by prompt, tokenised once,
// reference log-probs from the on-disk cache (none for the reference-free losses), then the one
// training loop (pairs and rankings on the engine chosen: ONNX Runtime or TensorFlow.js), the test
// split and the held-out evaluation, and a new policy version.
import { parseConfig } from "../parse-config";
import { RUN_KIND_REGISTRY } from "../registry";
import { trainAndFinish } from "../policy/finish";
import { disposePolicyRun, policyAdamW, referenceFor, setUpPolicyRun, splitExamples, type PolicyRunSetup } from "../policy/run-setup";
import type { RunContext } from "../worker/run-context";
import { REFERENCE_FREE, type PreferenceConfig } from "./config";
import { describePolicyData, loadPreferencePairs, loadRankings } from "./data";
import { attachListReferences, attachPairReferences, listRows, pairRows, tokenizeLists, tokenizePairs, type ListExample, type PairExample } from "./examples";
import { listBatch, listObjective, pairBatch, pairObjective } from "./objective";
import type { Split } from "../reward/split";
import type { OrtVjpTrainer } from "../onnx-train/vjp-trainer";
import { pairSeededRows, pairStepLength } from "./ort-pairs";
import { rankSeededRows, rankStepShape } from "./ort-rank";
import { withOrtSeeded } from "./ort-seeded";
import { ortEngineOptions } from "../onnx-train/vjp-trainer";
import { choosePolicyEngine } from "./run-engine";

function requireProject(ctx: RunContext): number {
  if (ctx.run.projectId === null) throw new Error(`a ${ctx.run.kind} run needs a project: its judgements are the training data`);
  return ctx.run.projectId;
}

/** Pairs (or rankings, for listwise), split and tokenised, with reference log-probs attached. */
async function preparePairs(ctx: RunContext, s: PolicyRunSetup, c: PreferenceConfig, projectId: number): Promise<Split<PairExample>> {
  const pairs = loadPreferencePairs(ctx.db, projectId, c);
  ctx.progress({ step: ctx.resumeFrom?.step ?? 0, message: `${ctx.run.kind} (${c.lossType}, β=${c.beta}) on ${describePolicyData({ pairs })}` });
  if (pairs.length === 0) throw new Error("the project has no usable preference pairs (ties and both-bad judgements say neither answer is better): label some pairs first");
  const examples = tokenizePairs(s.policy.setup.tokenizer, pairs, s.limits);
  if (examples.length === 0) throw new Error(`every pair's completion is empty after truncation to ${s.limits.maxLength} tokens`);
  if (!REFERENCE_FREE.has(c.lossType)) attachPairReferences(examples, await referenceFor(ctx, s, pairRows(examples)));
  return splitExamples(examples, (e) => e.prompt, c, "pairs");
}

async function prepareLists(ctx: RunContext, s: PolicyRunSetup, c: PreferenceConfig, projectId: number): Promise<Split<ListExample>> {
  const rankings = loadRankings(ctx.db, projectId, c);
  ctx.progress({ step: ctx.resumeFrom?.step ?? 0, message: `${ctx.run.kind} (listwise, β=${c.beta}) on ${describePolicyData({ rankings })}` });
  if (rankings.lists.length === 0) throw new Error(`the project has no usable rankings (${rankings.skippedWithTies} have tied groups): label some tasks first`);
  const examples = tokenizeLists(s.policy.setup.tokenizer, rankings.lists, s.limits);
  attachListReferences(examples, await referenceFor(ctx, s, listRows(examples)));
  return splitExamples(examples, (e) => e.prompt, c, "rankings");
}

export async function preferenceExecutor(ctx: RunContext): Promise<void> {
  const c = parseConfig(ctx.run.kind, RUN_KIND_REGISTRY[ctx.run.kind]!.schema, ctx.config) as PreferenceConfig;
  const projectId = requireProject(ctx);
  const s = await setUpPolicyRun(ctx, c);
  let ort: OrtVjpTrainer | undefined;
  try {
    ctx.info({ backend: s.backend });
    if (c.lossType === "listwise") {
      const split = await prepareLists(ctx, s, c, projectId);
      let objective = listObjective(s.policy, split, c);
      const { width, seq } = rankStepShape(split.train);
      const engine = await choosePolicyEngine(ctx, s, c, { rows: c.batchSize * width, seq });
      if (engine.kind === "onnx") {
        const rows = rankSeededRows(c, { batchSize: c.batchSize, width, seq, padId: s.policy.padId });
        ({ objective, trainer: ort } = await withOrtSeeded(objective, rows, { model: s.policy.setup.model, adamw: policyAdamW(c), seq, ...ortEngineOptions(engine) }));
      }
      await trainAndFinish(ctx, s, c, split, objective, (b) => listBatch(s.policy, b, c));
      return;
    }
    const split = await preparePairs(ctx, s, c, projectId);
    let objective = pairObjective(s.policy, split, c);
    const seq = pairStepLength(split.train);
    const engine = await choosePolicyEngine(ctx, s, c, { rows: 2 * c.batchSize, seq });
    if (engine.kind === "onnx") {
      const rows = pairSeededRows(c, { batchSize: c.batchSize, seq, padId: s.policy.padId });
      ({ objective, trainer: ort } = await withOrtSeeded(objective, rows, { model: s.policy.setup.model, adamw: policyAdamW(c), seq, ...ortEngineOptions(engine) }));
    }
    await trainAndFinish(ctx, s, c, split, objective, (b) => pairBatch(s.policy, b, c));
  } finally {
    await ort?.release();
    disposePolicyRun(s);
  }
}
