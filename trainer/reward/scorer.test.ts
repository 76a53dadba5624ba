import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTestDb } from "../../db/testing";
import { initBackend } from "../backend";
import { readSafetensorsFile } from "../checkpoint/safetensors";
import { writeShardedCopy } from "../checkpoint/testing";
import { saveTinyBackbone } from "./executor-fixtures";
import { loadRewardScorer } from "./scorer";
import { scoreSequences } from "./scorer-neural";
import { rewardText, rewardTokens } from "./scorer-tokens";
import { SCORE_WEIGHT } from "./head";
import { loadNeuralRewardModel, saveNeuralRewardModel } from "./train-neural-model";

describe("reward scoring", async () => {
  await initBackend();
  const backbone = saveTinyBackbone(3);

  it("joins prompt and completion without gluing words, and keeps HH transcripts byte-identical", () => {
    expect(rewardText("\n\nHuman: hi\n\nAssistant:", " hello")).toBe("\n\nHuman: hi\n\nAssistant: hello");
    expect(rewardText("rate this:", "great film")).toBe("rate this:\ngreat film");
    expect(rewardText("rate this: ", "great film")).toBe("rate this: great film");
    expect(rewardText("", "great film")).toBe("great film");
  });

  it("scores a batch of mixed lengths exactly as one sequence at a time, in input order", () => {
    const model = loadNeuralRewardModel(backbone, 5);
    const texts = ["the movie was great", "a", "what a film! the cast and a weak plot", "not good", "the film"];
    const sequences = texts.map((t) => rewardTokens(model.tokenizer, "", t));
    const batched = scoreSequences(model, sequences, { maxLength: 32, batchRows: 4 }); // 5 rows: one odd batch
    const single = sequences.map((s) => scoreSequences(model, [s], { maxLength: 32, batchRows: 1 })[0]!);
    expect(new Set(single.map((s) => s.toFixed(4))).size).toBe(texts.length); // distinct, so order is checked
    batched.forEach((score, i) => expect(score).toBeCloseTo(single[i]!, 5));
  });

  it("scores with a saved reward model by directory and by id, and refuses a bare language model", async () => {
    const model = loadNeuralRewardModel(backbone, 5);
    const dir = mkdtempSync(path.join(os.tmpdir(), "preflab-rm-"));
    saveNeuralRewardModel(dir, model, { mean: 0.5, std: 2 });
    const items = [{ prompt: "review:", completion: "great film" }, { prompt: "review:", completion: "weak plot" }];
    const expected = scoreSequences(model, items.map((i) => rewardTokens(model.tokenizer, i.prompt, i.completion)), { maxLength: 32, batchRows: 8 });
    const scorer = await loadRewardScorer(null, dir);
    expect(scorer).toMatchObject({ kind: "neural", rewardMean: 0.5, rewardStd: 2 });
    scorer.score(items).forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 5));
    scorer.dispose();
    await expect(loadRewardScorer(null, backbone)).rejects.toThrow(`${path.join(backbone, "model.safetensors")} has no score.weight: it is a language model, not a trained reward model`);
    await expect(loadRewardScorer(createTestDb().db, "5")).rejects.toThrow("no reward model with id 5");
  });

  it("loads a sharded reward model whose score.weight sits in the last shard, head and moments included", () => {
    const model = loadNeuralRewardModel(backbone, 5);
    const dir = mkdtempSync(path.join(os.tmpdir(), "preflab-rm-"));
    saveNeuralRewardModel(dir, model, { mean: 0.5, std: 2 });
    const { [SCORE_WEIGHT]: head, ...backboneWeights } = readSafetensorsFile(path.join(dir, "model.safetensors")).tensors;
    const sharded = writeShardedCopy(dir, path.join(dir, "sharded"), [backboneWeights, { [SCORE_WEIGHT]: head }]);
    const reloaded = loadNeuralRewardModel(sharded, 9, true);
    expect(Array.from(reloaded.variables[SCORE_WEIGHT].dataSync())).toEqual(Array.from(model.variables[SCORE_WEIGHT].dataSync()));
    expect(reloaded).toMatchObject({ rewardMean: 0.5, rewardStd: 2 });
  });
});
