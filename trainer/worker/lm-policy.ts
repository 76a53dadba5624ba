// The policies table seen from a language-model run: which checkpoint the run starts from, and
// the new policy version its final checkpoint becomes (so its samples can go back to labeling).
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { policies } from "../../db/schema";
import type { RunRow } from "./queue";

/** The base policy's checkpoint directory, or undefined when the run has none. */
export function basePolicyCheckpoint(db: Db, run: RunRow): string | undefined {
  if (!run.basePolicyId) return undefined;
  const row = db.select().from(policies).where(eq(policies.id, run.basePolicyId)).get();
  if (!row?.path) throw new Error(`base policy ${run.basePolicyId} has no checkpoint directory`);
  return row.path;
}

/** Registers the run's final checkpoint as a policy (a new version of its base, if any). */
export function registerPolicy(db: Db, run: RunRow, dir: string): number {
  const base = run.basePolicyId ? db.select().from(policies).where(eq(policies.id, run.basePolicyId)).get() : undefined;
  return db.insert(policies).values({
    name: base ? base.name : `${run.kind} run ${run.id}`,
    kind: "checkpoint",
    version: base ? base.version + 1 : 1,
    parentId: base?.id ?? null,
    path: dir,
    runId: run.id,
  }).returning({ id: policies.id }).get().id;
}
