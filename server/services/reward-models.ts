/**
 * Reward models of a project, as researchers list and try them. Scoring happens here only for
 * linear models (plain JS, milliseconds); a neural model needs TensorFlow.js, which never loads
 * in the web server, so it scores through the CLI (`preflab reward score`).
 */
import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rewardModels } from "../../db/schema";
import { loadLinearRewardModel } from "../../trainer/reward/scorer-linear";
import { ServiceError } from "./errors";

export function listRewardModels(db: Db, projectId: number) {
  return db.select().from(rewardModels).where(eq(rewardModels.projectId, projectId)).orderBy(desc(rewardModels.id)).all();
}

export function requireRewardModel(db: Db, id: number) {
  const row = db.select().from(rewardModels).where(eq(rewardModels.id, id)).get();
  if (!row) throw new ServiceError("NOT_FOUND", `No reward model with id ${id}.`);
  return row;
}

/** Raw reward of one completion, and the normalised one when the model stored its moments. */
export function scoreCompletion(db: Db, input: { rewardModelId: number; prompt: string; completion: string }) {
  const row = requireRewardModel(db, input.rewardModelId);
  if (row.kind !== "linear") {
    throw new ServiceError(
      "PRECONDITION_FAILED",
      `Reward model ${row.id} is neural; score it with \`npx preflab reward score --reward-model ${row.id} --input FILE.jsonl\`.`,
    );
  }
  let model;
  try {
    model = loadLinearRewardModel(row.path);
  } catch (error) {
    throw new ServiceError("PRECONDITION_FAILED", `Reward model ${row.id} cannot be loaded: ${(error as Error).message}`);
  }
  const score = model.score(input.prompt, input.completion);
  const std = row.rewardStd ?? 0;
  return { score, normalized: std > 0 ? (score - (row.rewardMean ?? 0)) / std : null };
}
