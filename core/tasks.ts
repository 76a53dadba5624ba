import { and, eq, inArray } from "drizzle-orm";
import { inTransaction, type Db } from "../db/client";
import type { TaskKind } from "../db/enums";
import { completions, projects, prompts, tasks, type GoldAnswer } from "../db/schema";
import { projectSettingsSchema } from "../db/types";
import { ServiceError } from "./errors";
import { checkGoldAnswer } from "./gold";

/**
 * Task creation from a prompt's completions: the seed, the researcher's "make tasks" action and
 * the `sample` run that sends a new policy's samples back to the queue (from the worker, hence
 * core/) all go through here, so every task gets the same checks and the same
 * `completionSetKey` (imports use it too).
 */

export interface TaskSpec {
  promptId: number;
  /** Completion ids of that prompt, in canonical order (display order is randomised later). */
  completionIds: number[];
  /** Makes a gold task: pair/correction `{ winner }`, rank `{ ranking }` (best first). */
  goldAnswer?: GoldAnswer;
  /** Overlap; defaults to the project's `judgementsPerTask`. */
  requiredJudgements?: number;
  /** Served before tasks of lower priority (default 0); a `sample` run's new tasks use 1. */
  priority?: number;
  /**
   * A cold-start run's task (drex, trex), judged by the run itself: it is checked for duplicates
   * only against other synthetic tasks, so synthetic and human judgements of one pair can coexist.
   */
  synthetic?: boolean;
}

export interface CreatedTasks {
  /** Ids of the new tasks, in spec order. */
  created: number[];
  /** Specs refused because the prompt already has a task over the same unordered set. */
  duplicates: TaskSpec[];
}

/** Completions per task kind: a pair is two; a ranking 3..9 (issue 3); a correction 2..9. */
const SIZE: Record<TaskKind, { min: number; max: number }> = {
  pair: { min: 2, max: 2 },
  rank: { min: 3, max: 9 },
  correction: { min: 2, max: 9 },
};

/** The key that finds the same unordered completion set for a prompt (same form as imports). */
export const completionSetKey = (ids: readonly number[]): string => [...ids].sort((a, b) => a - b).join(",");

export const createPairTasks = (db: Db, projectId: number, specs: TaskSpec[]) => createTasks(db, projectId, "pair", specs);
export const createRankTasks = (db: Db, projectId: number, specs: TaskSpec[]) => createTasks(db, projectId, "rank", specs);
export const createCorrectionTasks = (db: Db, projectId: number, specs: TaskSpec[]) =>
  createTasks(db, projectId, "correction", specs);

/** Every unordered pair of `ids`, for making pair tasks out of a prompt's completions. */
export function allPairs(ids: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) out.push([ids[i]!, ids[j]!]);
  return out;
}

/** Validates every spec first, then inserts in one transaction: all or nothing. */
export function createTasks(db: Db, projectId: number, kind: TaskKind, specs: TaskSpec[]): CreatedTasks {
  const overlap = projectOverlap(db, projectId);
  return inTransaction(db, () => {
      const seen = new Set<string>();
      const result: CreatedTasks = { created: [], duplicates: [] };
      for (const spec of specs) {
        validateSpec(db, projectId, kind, spec);
        const key = completionSetKey(spec.completionIds);
        if (seen.has(`${spec.promptId}:${key}`) || hasTaskForSet(db, spec.promptId, key, spec.synthetic ?? false)) {
          result.duplicates.push(spec);
          continue;
        }
        seen.add(`${spec.promptId}:${key}`);
        result.created.push(insertTask(db, projectId, kind, spec, key, overlap));
      }
      return result;
  });
}

/** The project's default overlap (settings stored before a field existed take its default). */
function projectOverlap(db: Db, projectId: number): number {
  const project = db.select({ settings: projects.settings }).from(projects).where(eq(projects.id, projectId)).get();
  if (!project) throw new ServiceError("NOT_FOUND", `No project with id ${projectId}.`);
  return projectSettingsSchema.parse(project.settings ?? {}).judgementsPerTask;
}

function hasTaskForSet(db: Db, promptId: number, key: string, synthetic: boolean): boolean {
  const row = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.promptId, promptId), eq(tasks.completionSetKey, key), eq(tasks.synthetic, synthetic)))
    .get();
  return row !== undefined;
}

function validateSpec(db: Db, projectId: number, kind: TaskKind, spec: TaskSpec): void {
  const { min, max } = SIZE[kind];
  const ids = spec.completionIds;
  if (ids.length < min || ids.length > max)
    throw new ServiceError("BAD_REQUEST", `A ${kind} task needs ${min === max ? min : `${min} to ${max}`} completions, got ${ids.length}.`);
  if (new Set(ids).size !== ids.length) throw new ServiceError("BAD_REQUEST", "A task cannot show the same completion twice.");
  const prompt = db.select({ projectId: prompts.projectId }).from(prompts).where(eq(prompts.id, spec.promptId)).get();
  if (!prompt || prompt.projectId !== projectId)
    throw new ServiceError("BAD_REQUEST", `Prompt ${spec.promptId} is not in project ${projectId}.`);
  const found = db
    .select({ id: completions.id })
    .from(completions)
    .where(and(eq(completions.promptId, spec.promptId), inArray(completions.id, ids)))
    .all();
  if (found.length !== ids.length)
    throw new ServiceError("BAD_REQUEST", `Completions ${ids.join(", ")} are not all completions of prompt ${spec.promptId}.`);
  if (spec.goldAnswer) checkGoldAnswer(kind, ids, spec.goldAnswer);
}

function insertTask(db: Db, projectId: number, kind: TaskKind, spec: TaskSpec, key: string, defaultOverlap: number): number {
  const [row] = db
    .insert(tasks)
    .values({
      projectId,
      promptId: spec.promptId,
      kind,
      completionIds: spec.completionIds,
      completionSetKey: key,
      requiredJudgements: spec.requiredJudgements ?? defaultOverlap,
      isGold: spec.goldAnswer !== undefined,
      goldAnswer: spec.goldAnswer ?? null,
      priority: spec.priority ?? 0,
      synthetic: spec.synthetic ?? false,
    })
    .returning({ id: tasks.id })
    .all();
  return row!.id;
}
