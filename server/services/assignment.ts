import { eq } from "drizzle-orm";
import { inTransaction, type Db } from "../../db/client";
import { assignments, tasks } from "../../db/schema";
import { activeAssignments, refreshLeases } from "./assignment-leases";
import { annotatorProgress, leaseCounts, type Progress } from "./assignment-progress";
import { findCandidate, randomDisplayOrder, wantsGold } from "./assignment-queue";
import { leasedTaskView, type LeasedTask } from "./assignment-view";
import { ServiceError } from "./errors";
import { getProject, type Project } from "./projects";

export type { LeasedTask, Progress };

/** What `labeling.next` returns: the task to show (null when the queue is empty for this annotator). */
export interface NextTask {
  project: ProjectForAnnotator;
  task: LeasedTask | null;
  progress: Progress;
}

/** The part of a project an annotator may see: its guidelines and the rules the UI enforces. */
export interface ProjectForAnnotator {
  id: number;
  name: string;
  guidelines: string;
  allowRankTies: boolean;
  allowPartialRanking: boolean;
  undoWindowSeconds: number;
}

export interface PickOptions {
  /** Lease one more task beside those held (prefetch), up to `maxActiveLeases`. */
  another?: boolean;
  /** The clock, for tests of lease expiry. */
  now?: Date;
}

export function requireProject(db: Db, projectId: number): Project {
  const project = getProject(db, projectId);
  if (!project) throw new ServiceError("NOT_FOUND", `No project with id ${projectId}.`);
  return project;
}

export function projectForAnnotator(project: Project): ProjectForAnnotator {
  const { allowRankTies, allowPartialRanking, undoWindowSeconds } = project.settings;
  return { id: project.id, name: project.name, guidelines: project.guidelines, allowRankTies, allowPartialRanking, undoWindowSeconds };
}

/**
 * The annotator's next task: the oldest lease they still hold (a reload shows the same task),
 * else a new lease. One BEGIN IMMEDIATE transaction, so two annotators never take the last slot.
 */
export function pickNextTask(db: Db, annotatorId: number, projectId: number, options: PickOptions = {}): NextTask {
  const now = options.now ?? new Date();
  return inTransaction(db, () => {
    const project = requireProject(db, projectId);
    const { leaseSeconds, maxActiveLeases } = project.settings;
    const live = refreshLeases(db, activeAssignments(db, annotatorId, projectId), leaseSeconds, now);
    const counts = leaseCounts(db, annotatorId, projectId);
    let lease = options.another ? undefined : live[0];
    if (!lease) {
      if (live.length >= maxActiveLeases)
        throw new ServiceError("PRECONDITION_FAILED", `You already hold ${live.length} tasks (the most this project allows); finish or skip one first.`);
      lease = leaseNewTask(db, annotatorId, project, counts.served, now);
      if (lease) live.push(lease);
    }
    return {
      project: projectForAnnotator(project),
      task: lease ? leasedTaskView(db, lease) : null,
      progress: annotatorProgress(db, annotatorId, projectId, maxActiveLeases, now, { counts, held: live.length }),
    };
  });
}

function leaseNewTask(db: Db, annotatorId: number, project: Project, served: number, now: Date) {
  const gold = wantsGold(annotatorId, project.id, served, project.settings.goldRate);
  const taskId = findCandidate(db, annotatorId, project.id, gold, now) ?? findCandidate(db, annotatorId, project.id, !gold, now);
  if (taskId === null) return undefined;
  const task = db.select({ completionIds: tasks.completionIds }).from(tasks).where(eq(tasks.id, taskId)).get()!;
  const [row] = db
    .insert(assignments)
    .values({
      taskId,
      annotatorId,
      projectId: project.id,
      displayOrder: randomDisplayOrder(task.completionIds),
      leasedAt: now,
      expiresAt: new Date(now.getTime() + project.settings.leaseSeconds * 1000),
    })
    .returning()
    .all();
  return row!;
}
