import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { PairOutcome, TaskKind } from "../../db/enums";
import { judgements, tasks, users } from "../../db/schema";

/**
 * The human judgements of a project (undone ones left out, imports left out: they have no
 * annotator), in the one shape every quality statistic reads.
 */
export interface HumanJudgement {
  taskId: number;
  annotatorId: number;
  kind: TaskKind;
  /** Canonical completion order of the task: the same for every annotator. */
  completionIds: number[];
  displayOrder: number[];
  outcome: PairOutcome | null;
  strength: number | null;
  ranking: number[][] | null;
  chosenCompletionId: number | null;
  secondsOnTask: number | null;
  goldCorrect: boolean | null;
}

export function loadHumanJudgements(db: Db, projectId: number): HumanJudgement[] {
  const rows = db
    .select({
      taskId: judgements.taskId,
      annotatorId: judgements.annotatorId,
      kind: tasks.kind,
      completionIds: tasks.completionIds,
      displayOrder: judgements.displayOrder,
      outcome: judgements.outcome,
      strength: judgements.strength,
      ranking: judgements.ranking,
      chosenCompletionId: judgements.chosenCompletionId,
      secondsOnTask: judgements.secondsOnTask,
      goldCorrect: judgements.goldCorrect,
    })
    .from(judgements)
    .innerJoin(tasks, eq(tasks.id, judgements.taskId))
    .where(and(eq(tasks.projectId, projectId), eq(judgements.source, "human"), isNull(judgements.undoneAt)))
    .all();
  return rows.filter((r): r is HumanJudgement => r.annotatorId !== null);
}

/** Names for annotator ids, for the researcher's tables. */
export function annotatorNames(db: Db): Map<number, { username: string; pseudonym: string }> {
  const rows = db.select({ id: users.id, username: users.username, pseudonym: users.pseudonym }).from(users).all();
  return new Map(rows.map((r) => [r.id, { username: r.username, pseudonym: r.pseudonym }]));
}

/** The completion an answer prefers (pair: by the side shown; correction: the chosen), or null. */
export function preferredCompletion(j: HumanJudgement): number | null {
  if (j.kind === "correction") return j.chosenCompletionId;
  if (j.kind !== "pair") return null;
  if (j.outcome === "left") return j.displayOrder[0] ?? null;
  if (j.outcome === "right") return j.displayOrder[1] ?? null;
  return null;
}
