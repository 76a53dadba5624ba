/**
 * Test data for reward runs: a project with a planted preference (the preferred answer contains
 * a marker word, the other does not), imported through the real import path, and a tiny GPT-2
 * backbone saved as a checkpoint directory.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "../../db/client";
import type { ImportFormat } from "../../db/enums";
import { trainingRuns } from "../../db/schema";
import { importFile } from "../../server/services/import/run-import";
import { createRng, uniformInt } from "../../stats/random";
import { saveCheckpoint } from "../checkpoint/tfjs";
import { TINY_CORPUS, tinyLanguageModel } from "../test-fixtures";
import { toTokenizerJson } from "../tokenizer/tokenizer-json";
import { trainBpe } from "../tokenizer/train-bpe";

export const MARKER = "great";
const FILLER = ["the", "movie", "was", "film", "not", "good", "a", "cast", "and", "weak", "plot", "what"];

function sentence(rng: () => number, words: number, marker: boolean): string {
  const out = Array.from({ length: words }, () => FILLER[uniformInt(rng, FILLER.length)]!);
  if (marker) out.splice(uniformInt(rng, words + 1), 0, MARKER);
  return out.join(" ");
}

/** TRL rows: one pair per prompt, the answer with the marker word preferred. */
export function plantedRows(prompts: number, seed = 7): Array<{ prompt: string; chosen: string; rejected: string }> {
  const rng = createRng(seed);
  return Array.from({ length: prompts }, (_, i) => ({
    prompt: `review ${i}:`,
    chosen: ` ${sentence(rng, 2 + uniformInt(rng, 4), true)}`,
    rejected: ` ${sentence(rng, 2 + uniformInt(rng, 4), false)}`,
  }));
}

/** Imports rows (TRL JSONL unless `format` says otherwise) into project `name`; returns its id. */
export async function importRows(db: Db, name: string, rows: object[], format: ImportFormat = "trl"): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "preflab-reward-"));
  const file = path.join(dir, "pairs.jsonl");
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
  const report = await importFile(db, file, { projectName: name, format });
  if (!report.ok) throw new Error(`fixture import failed: ${JSON.stringify(report.problems.slice(0, 3))}`);
  return report.projectId!;
}

/** A tiny random GPT-2 (2 layers, 16 wide, 32 positions) saved as a checkpoint; returns its dir. */
export function saveTinyBackbone(seed = 1): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "preflab-backbone-"));
  const model = tinyLanguageModel(seed);
  const tokenizerJson = toTokenizerJson(trainBpe(TINY_CORPUS, 300));
  saveCheckpoint(dir, { config: model.config, params: model.params, tokenizerJson, eosId: model.tokenizer.eosId });
  return dir;
}

/** Inserts a queued reward run, as the runs router does. */
export function queueRewardRun(db: Db, projectId: number, config: Record<string, unknown>) {
  return db.insert(trainingRuns).values({ kind: "reward", projectId, config }).returning().get();
}
