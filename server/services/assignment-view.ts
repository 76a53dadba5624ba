import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { TaskKind } from "../../db/enums";
import { completions, prompts, tasks, type ChatMessage } from "../../db/schema";

/**
 * What an annotator is shown of a leased task. Deliberately narrow: completion ids and texts in
 * the order this annotator sees them, never a policy name or id, never whether it is gold.
 */
export interface LeasedTask {
  taskId: number;
  kind: TaskKind;
  prompt: { text: string; messages: ChatMessage[] | null };
  /** In display order: left then right for pairs, top to bottom for rankings. */
  completions: Array<{ id: number; text: string }>;
  leasedAt: Date;
  leaseExpiresAt: Date;
}

export interface LeaseRow {
  taskId: number;
  displayOrder: number[];
  leasedAt: Date;
  expiresAt: Date;
}

export function leasedTaskView(db: Db, lease: LeaseRow): LeasedTask {
  const task = db.select({ kind: tasks.kind, promptId: tasks.promptId }).from(tasks).where(eq(tasks.id, lease.taskId)).get()!;
  const prompt = db.select({ text: prompts.text, messages: prompts.messages }).from(prompts).where(eq(prompts.id, task.promptId)).get()!;
  const rows = db
    .select({ id: completions.id, text: completions.text })
    .from(completions)
    .where(inArray(completions.id, lease.displayOrder))
    .all();
  const textById = new Map(rows.map((r) => [r.id, r.text]));
  return {
    taskId: lease.taskId,
    kind: task.kind,
    prompt: { text: prompt.text, messages: prompt.messages ?? null },
    completions: lease.displayOrder.map((id) => ({ id, text: textById.get(id) ?? "" })),
    leasedAt: lease.leasedAt,
    leaseExpiresAt: lease.expiresAt,
  };
}
