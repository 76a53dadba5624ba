/**
 * A project's rounds as the lab notebook reads them, newest first: each with its runs (kind,
 * status, error, times), the reward model it trained, the policy it started from and the one it
 * made, and its results.
 */
import { desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { policies, rewardModels, rounds, trainingRuns } from "../../db/schema";

const ids = (values: Array<number | null>) => [...new Set(values.filter((v): v is number => v !== null))];

function byId<T extends { id: number }>(rows: T[]): Map<number, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

export function listRounds(db: Db, projectId: number, limit = 100) {
  const rows = db.select().from(rounds).where(eq(rounds.projectId, projectId)).orderBy(desc(rounds.number)).limit(limit).all();
  const runIds = ids(rows.flatMap((r) => [r.rewardRunId, r.policyRunId, r.sampleRunId]));
  const runs = byId(runIds.length ? db.select({ id: trainingRuns.id, kind: trainingRuns.kind, status: trainingRuns.status, error: trainingRuns.error, startedAt: trainingRuns.startedAt, finishedAt: trainingRuns.finishedAt }).from(trainingRuns).where(inArray(trainingRuns.id, runIds)).all() : []);
  const policyIds = ids(rows.flatMap((r) => [r.startPolicyId, r.policyId]));
  const policyRows = byId(policyIds.length ? db.select({ id: policies.id, name: policies.name, version: policies.version }).from(policies).where(inArray(policies.id, policyIds)).all() : []);
  const modelIds = ids(rows.map((r) => r.rewardModelId));
  const models = byId(modelIds.length ? db.select({ id: rewardModels.id, name: rewardModels.name, kind: rewardModels.kind }).from(rewardModels).where(inArray(rewardModels.id, modelIds)).all() : []);
  const get = <T>(map: Map<number, T>, id: number | null) => (id === null ? null : map.get(id) ?? null);
  return rows.map((r) => ({
    ...r,
    runs: { reward: get(runs, r.rewardRunId), policy: get(runs, r.policyRunId), sample: get(runs, r.sampleRunId) },
    rewardModel: get(models, r.rewardModelId),
    startPolicy: get(policyRows, r.startPolicyId),
    policy: get(policyRows, r.policyId),
  }));
}
