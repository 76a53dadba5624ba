/**
 * The worker's side of the loop's rounds: when a round's current run has finished, record what it
 * produced and queue the next step (reward model → policy run → sample run), or record the round
 * as failed at that step. Called between runs and while idle (trainer/worker/between-runs.ts), so a
 * run cancelled while queued, or a worker that died between two steps, moves the round on too.
 *
 * Configs were validated against their kinds' schemas when the web server opened the round; the
 * worker only fills in the ids a step learns from the one before (as a policy run's `sampleAfter`
 * does), so runs are inserted here directly, each in the transaction that moves the round.
 */
import { eq } from "drizzle-orm";
import { resolveStartPolicy } from "../../core/policy-versions";
import { completeRound, failRound, requireRound, roundPolicyConfig, roundSampleConfig, runningRounds, updateRound, type RoundRow } from "../../core/rounds";
import { inTransaction, type Db } from "../../db/client";
import type { RoundStep, RunKind } from "../../db/enums";
import { policies, rewardModels, runArtifacts, trainingRuns } from "../../db/schema";
import type { RunRow } from "./queue";

const STEP_RUN: Record<RoundStep, "rewardRunId" | "policyRunId" | "sampleRunId"> = { reward: "rewardRunId", policy: "policyRunId", sample: "sampleRunId" };

function queueStepRun(db: Db, round: RoundRow, kind: RunKind, config: Record<string, unknown>, basePolicyId: number | null): RunRow {
  return db.insert(trainingRuns).values({ kind, projectId: round.projectId, config, basePolicyId, createdBy: round.createdBy }).returning().get();
}

/** Only numbers go into a round's results (metrics objects may carry counts and flags too). */
function numbers(record: Record<string, unknown> | null | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(record ?? {}).filter((e): e is [string, number] => typeof e[1] === "number"));
}

function afterReward(db: Db, round: RoundRow, run: RunRow): void {
  const model = db.select().from(rewardModels).where(eq(rewardModels.runId, run.id)).get();
  if (!model) throw new Error(`reward run ${run.id} registered no reward model`);
  const start = resolveStartPolicy(db, round.projectId, null);
  const { kind, config } = round.configs!.policy;
  const policyRun = queueStepRun(db, round, kind, roundPolicyConfig(config, start.id, model.id), start.id);
  updateRound(db, round, { step: "policy", rewardModelId: model.id, startPolicyId: start.id, policyRunId: policyRun.id }, { reward: numbers(model.metrics) });
}

function afterPolicy(db: Db, round: RoundRow, run: RunRow): void {
  const policy = db.select().from(policies).where(eq(policies.runId, run.id)).get();
  if (!policy) throw new Error(`policy run ${run.id} registered no policy version`);
  const sampleRun = queueStepRun(db, round, "sample", roundSampleConfig(round.configs!.sample, policy.id, round.startPolicyId!), null);
  const metrics = numbers((policy.evaluation as { metrics?: Record<string, unknown> } | null)?.metrics);
  updateRound(db, round, { step: "sample", policyId: policy.id, sampleRunId: sampleRun.id }, { policy: metrics });
}

function afterSample(db: Db, round: RoundRow, run: RunRow): void {
  const made = db.select().from(runArtifacts).where(eq(runArtifacts.runId, run.id)).all().find((a) => a.kind === "samples");
  const meta = numbers(made?.metadata);
  completeRound(db, round, { sample: { tasksCreated: meta.tasksCreated ?? 0, prompts: meta.prompts ?? 0 } });
}

const NEXT: Record<RoundStep, (db: Db, round: RoundRow, run: RunRow) => void> = { reward: afterReward, policy: afterPolicy, sample: afterSample };

/** Moves one round on if its current run has finished; returns whether anything changed. */
function advanceRound(db: Db, roundId: number): boolean {
  return inTransaction(db, (tx) => {
    const round = requireRound(tx, roundId);
    if (round.status !== "running") return false;
    const runId = round[STEP_RUN[round.step]];
    const run = runId === null ? undefined : tx.select().from(trainingRuns).where(eq(trainingRuns.id, runId)).get();
    if (!run) return (failRound(tx, round, `the ${round.step} run of this round no longer exists`), true);
    if (run.status === "queued" || run.status === "running") return false;
    if (run.status !== "succeeded") return (failRound(tx, round, `${round.step} run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ""}`), true);
    try {
      tx.$client.transaction(() => NEXT[round.step](tx, round, run))(); // a savepoint: a step that throws leaves no half-queued run
    } catch (error) {
      failRound(tx, round, `after ${round.step} run ${run.id}: ${(error as Error).message}`);
    }
    return true;
  });
}

/** Advances every running round whose current run has finished; returns the rounds that moved. */
export function advanceRounds(db: Db): number[] {
  return runningRounds(db).filter((r) => advanceRound(db, r.id)).map((r) => r.id);
}
