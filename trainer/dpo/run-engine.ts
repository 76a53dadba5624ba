// The engine of a DPO-family or KTO run, from its `engine` field: ONNX Runtime where it can train
// (pairs, KTO and rankings with full fine-tuning; under `auto`, when it can build the model's step
// graph), else the TensorFlow.js backend chosen, which the run page then names (it may differ
// from the backend setUpPolicyRun started on).
import { describeBackend } from "../backend";
import { describeOrtEngine, resolveLmEngine, type ResolvedEngine, type TrainingEngine } from "../onnx-train/engine";
import type { PolicyRunConfig } from "../policy/config";
import { policyAdamW, type PolicyRunSetup } from "../policy/run-setup";
import type { RunContext } from "../worker/run-context";

/** `rows` × `seq`: the ORT step's shape; `ortRefusal` keeps the run on TensorFlow.js, saying why; `note` follows the engine on the run page. */
export async function choosePolicyEngine(ctx: RunContext, s: PolicyRunSetup, c: PolicyRunConfig & { engine: TrainingEngine }, o: { rows: number; seq: number; ortRefusal?: string; note?: string }): Promise<ResolvedEngine> {
  const { engine } = await resolveLmEngine(c.engine, {
    graph: s.policy.setup.model.graph, batch: o.rows, seq: o.seq, adamw: policyAdamW(c),
    ortRefusal: c.lora ? "LoRA adapters train on TensorFlow.js only" : o.ortRefusal,
  });
  // OrtVjpTrainer runs on the CPU provider.
  const backend = engine.kind === "onnx" ? describeOrtEngine("cpu", engine.threads) : `${describeBackend(engine.backend)}${c.lora ? ` · LoRA r=${c.lora.rank}` : ""}`;
  ctx.info({ backend: o.note ? `${backend} · ${o.note}` : backend });
  return engine;
}
