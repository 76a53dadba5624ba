/**
 * The rounds of a project's loop, as a lab notebook records them: which judgements a round
 * started on, its three steps (reward model → policy run → sample run) with their runs and what
 * each produced, results, and how it ended. The web server opens rounds (auto-loop trigger,
 * "start next round now"); the worker moves them from step to step (trainer/worker/auto-loop.ts).
 */
import { and, desc, eq, max, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { RoundStep, RoundTrigger } from "../db/enums";
import { rounds, type RoundConfigs, type RoundResults } from "../db/schema";

export type RoundRow = typeof rounds.$inferSelect;

export function requireRound(db: Db, id: number): RoundRow {
  const row = db.select().from(rounds).where(eq(rounds.id, id)).get();
  if (!row) throw new Error(`no round with id ${id}`);
  return row;
}

/** The project's round in progress (at most one: rounds_one_running_uq). */
export function runningRound(db: Db, projectId: number): RoundRow | undefined {
  return db.select().from(rounds).where(and(eq(rounds.projectId, projectId), eq(rounds.status, "running"))).get();
}

export function runningRounds(db: Db): RoundRow[] {
  return db.select().from(rounds).where(eq(rounds.status, "running")).all();
}

export function latestRound(db: Db, projectId: number): RoundRow | undefined {
  return db.select().from(rounds).where(eq(rounds.projectId, projectId)).orderBy(desc(rounds.number)).get();
}

/** Judgement id up to which the previous round took the data (0 before the first round). */
export const judgementAnchor = (db: Db, projectId: number): number => latestRound(db, projectId)?.judgementIdTo ?? 0;

/**
 * Human judgements of the project newer than `afterId`, counted up to `cap`: the trigger's check
 * on every submission. CROSS JOIN keeps judgements outside, so SQLite walks the rowid range of the
 * judgements since the last round (and stops at `cap`), never the project's whole history.
 */
export function countNewJudgements(db: Db, projectId: number, afterId: number, cap: number): number {
  return db.get<{ n: number }>(sql`
    select count(*) as n from (
      select 1 from judgements j cross join tasks t
      where j.id > ${afterId} and t.id = j.task_id and t.project_id = ${projectId}
        and j.source = 'human' and j.undone_at is null
      limit ${cap})`)?.n ?? 0;
}

export interface JudgementWindow {
  judgementsNew: number;
  judgementsTotal: number;
  judgementIdFrom: number | null;
  judgementIdTo: number | null;
}

/** The data a round starts on: human judgements new since `afterId`, all of them, and the id range. */
export function judgementWindow(db: Db, projectId: number, afterId: number): JudgementWindow {
  const row = db.get<{ total: number; fresh: number | null; last: number | null }>(sql`
    select count(*) as total, sum(j.id > ${afterId}) as fresh, max(j.id) as last
    from judgements j join tasks t on t.id = j.task_id
    where t.project_id = ${projectId} and j.source = 'human' and j.undone_at is null`)!;
  return { judgementsNew: row.fresh ?? 0, judgementsTotal: row.total, judgementIdFrom: afterId || null, judgementIdTo: Math.max(row.last ?? 0, afterId) || null };
}

export interface NewRound {
  projectId: number;
  trigger: RoundTrigger;
  configs: RoundConfigs | null;
  window: JudgementWindow;
  createdBy: number | null;
}

/** Inserts the project's next round, running its first step (call inside the transaction that checked none runs). */
export function openRound(db: Db, r: NewRound): RoundRow {
  const last = db.select({ n: max(rounds.number) }).from(rounds).where(eq(rounds.projectId, r.projectId)).get()?.n ?? 0;
  return db.insert(rounds).values({ projectId: r.projectId, number: last + 1, trigger: r.trigger, step: "reward", configs: r.configs, createdBy: r.createdBy, ...r.window }).returning().get();
}

export type RoundPatch = Partial<Pick<RoundRow, "step" | "rewardRunId" | "rewardModelId" | "startPolicyId" | "policyRunId" | "policyId" | "sampleRunId">>;

/** Records a step's progress; `results` are merged into what earlier steps recorded. */
export function updateRound(db: Db, round: RoundRow, patch: RoundPatch, results: RoundResults = {}): RoundRow {
  return db.update(rounds).set({ ...patch, results: { ...round.results, ...results } }).where(eq(rounds.id, round.id)).returning().get();
}

export function failRound(db: Db, round: RoundRow, error: string, step: RoundStep = round.step): RoundRow {
  return db.update(rounds).set({ status: "failed", step, error, finishedAt: new Date() }).where(eq(rounds.id, round.id)).returning().get();
}

export function completeRound(db: Db, round: RoundRow, results: RoundResults): RoundRow {
  return db.update(rounds).set({ status: "succeeded", results: { ...round.results, ...results }, finishedAt: new Date() }).where(eq(rounds.id, round.id)).returning().get();
}

/**
 * The policy run of a round: the validated config the round started with, from `startPolicyId`
 * (the project's newest policy when the reward model is ready), scored by the round's new reward
 * model when its kind takes one (PPO, GRPO, RLOO), and without `sampleAfter`: the round queues
 * its own sample run, so it can record it.
 */
export function roundPolicyConfig(config: Record<string, unknown>, startPolicyId: number, rewardModelId: number): Record<string, unknown> {
  return { ...config, policyId: startPolicyId, sampleAfter: null, ...("rewardModelId" in config ? { rewardModelId } : {}) };
}

/** The sample run of a round: the new version against the one it started from. */
export function roundSampleConfig(config: Record<string, unknown>, policyId: number, startPolicyId: number): Record<string, unknown> {
  return { ...config, policyIds: [policyId, startPolicyId] };
}
