import { eq } from "drizzle-orm";
import { policies } from "../../db/schema";
import type { RunContext } from "./run-context";

/** The checkpoint directory of the policy the run starts from (resolved when it was queued), if any. */
export function startCheckpoint(ctx: RunContext): string | undefined {
  if (!ctx.run.basePolicyId) return undefined;
  const row = ctx.db.select().from(policies).where(eq(policies.id, ctx.run.basePolicyId)).get();
  if (!row?.path) throw new Error(`the run's starting policy ${ctx.run.basePolicyId} has no checkpoint directory`);
  return row.path;
}
