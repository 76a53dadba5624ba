// The engine of a policy run trained through OrtVjpTrainer (DPO-family pairs, KTO, rankings, and
// online RL's updates), from its `engine` field: ONNX Runtime where it can train (full fine-tuning;
// under `auto`, when it can build the trainer's graphs), else the TensorFlow.js backend chosen,
// which the run page then names (it may differ from the backend setUpPolicyRun started on).
import { describeBackend } from "../backend";
import type { Graph } from "../graph/ir";
import { describeOrtEngine, resolveEngineBuilding, type TrainingEngine } from "../onnx-train/engine";
import { OrtVjpTrainer, type SeededOutputs, type VjpEngine } from "../onnx-train/vjp-trainer";
import type { PolicyRunConfig } from "../policy/config";
import { policyAdamW, type PolicyRunSetup } from "../policy/run-setup";
import type { RunContext } from "../worker/run-context";

/**
 * `rows` × `seq`: the ORT step's shape; `graph`: the model it trains (default: the policy's);
 * `outputs`: what the step is seeded at (default: each row's summed completion log-probs);
 * `ortRefusal` keeps the run on TensorFlow.js, saying why; `note` follows the engine on the run page.
 * On ORT the result carries the VJP trainer's graphs, built once as the check that ORT can train.
 */
export async function choosePolicyEngine(
  ctx: RunContext, s: PolicyRunSetup, c: PolicyRunConfig & { engine: TrainingEngine },
  o: { rows: number; seq: number; graph?: Graph; outputs?: SeededOutputs<never>; ortRefusal?: string; note?: string },
): Promise<VjpEngine> {
  const build = () => OrtVjpTrainer.plan({ graph: o.graph ?? s.policy.setup.model.graph, batch: o.rows, seq: o.seq, adamw: policyAdamW(c), outputs: o.outputs });
  const { engine, built } = await resolveEngineBuilding(c.engine, build, c.lora ? "LoRA adapters train on TensorFlow.js only" : o.ortRefusal);
  const backend = engine.kind === "onnx" ? describeOrtEngine(engine.provider, engine.threads) : `${describeBackend(engine.backend)}${c.lora ? ` · LoRA r=${c.lora.rank}` : ""}`;
  ctx.info({ backend: o.note ? `${backend} · ${o.note}` : backend });
  return { ...engine, plan: built };
}
