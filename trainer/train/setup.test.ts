// A version trained from a checkpoint keeps the checkpoint's generation_config.json (its sampling
// defaults: a Llama's temperature 0.6, top_p 0.9), whether the language-model objective or a
// policy trainer saves it; a fresh model gets preflab's defaults.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { languageModelObjective } from "../lm/objective";
import { loadTrainablePolicy } from "../policy/trainable-policy";
import { saveTinyBackbone } from "../reward/executor-fixtures";
import { checkpointSetup, disposeSetup, freshSetup } from "./setup";

const root = mkdtempSync(join(tmpdir(), "preflab-setup-"));
const GENERATION = { bos_token_id: 0, eos_token_id: 0, do_sample: true, temperature: 0.6, top_p: 0.9, repetition_penalty: 1.1 };
const generationConfigOf = (dir: string) => JSON.parse(readFileSync(join(dir, "generation_config.json"), "utf8"));

/** Moves every variable, as an optimizer step would. */
function step(variables: Record<string, tf.Variable>): void {
  for (const v of Object.values(variables)) v.assign(tf.tidy(() => v.add(tf.randomNormal(v.shape, 0, 0.05, "float32", 3))));
}

describe("generation_config.json across training", () => {
  let base = "";
  beforeAll(async () => {
    await initBackend("cpu");
    base = saveTinyBackbone(6);
    writeFileSync(join(base, "generation_config.json"), JSON.stringify(GENERATION));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("a language model trained from a checkpoint keeps its generation_config.json", () => {
    const setup = checkpointSetup(base);
    try {
      const tokens = Int32Array.from({ length: 64 }, (_, i) => i % 50);
      const objective = languageModelObjective({ setup, train: tokens, val: tokens, batchSize: 2, blockSize: 8, seed: 1, evalBatches: 1 });
      step(setup.model.params);
      const out = join(root, "lm");
      objective.save(out);
      expect(generationConfigOf(out)).toEqual(GENERATION);
    } finally {
      disposeSetup(setup);
    }
  });

  it("a policy trained from a checkpoint keeps it too, LoRA merged or not", () => {
    for (const lora of [null, { rank: 2, alpha: 4, targets: ["attention"] as "attention"[] }]) {
      const policy = loadTrainablePolicy(base, { lora, seed: 1 });
      try {
        step(policy.trainable);
        const out = join(root, `policy-${lora ? "lora" : "full"}`);
        policy.save(out);
        expect(generationConfigOf(out)).toEqual(GENERATION);
      } finally {
        policy.dispose();
      }
    }
  });

  it("a fresh model gets preflab's sampling defaults with its own eos", () => {
    const setup = freshSetup(["a great movie, a great cast", "the plot was thin"], { nLayer: 1, nEmbd: 8, nHead: 2, context: 16, vocabSize: 270 }, 1);
    try {
      const tokens = Int32Array.from({ length: 64 }, (_, i) => i % 50);
      const out = join(root, "fresh");
      languageModelObjective({ setup, train: tokens, val: tokens, batchSize: 2, blockSize: 8, seed: 1, evalBatches: 1 }).save(out);
      expect(generationConfigOf(out)).toMatchObject({ eos_token_id: setup.tokenizer.eosId, do_sample: true, temperature: 0.9, top_p: 0.95 });
    } finally {
      disposeSetup(setup);
    }
  });
});
