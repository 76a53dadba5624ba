/**
 * Two policies' completions for the same prompts, side by side: the prompts of a project that both
 * policies continued (sample runs, imports, external models), a page at a time in prompt order.
 * Walks the project's prompts by index and looks each one's completions up by prompt (both
 * indexed); a prompt with several completions of one policy shows its first.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { ServiceError } from "./errors";
import { projectPolicies } from "./leaderboard";
import { policyLabel } from "./lineage";

export const SAMPLES_PAGE = 20;

/** Policies with completions in the project, for the browser's two pickers (earliest first). */
export function samplePolicies(db: Db, projectId: number) {
  return projectPolicies(db, projectId).map((p) => ({ id: p.id, label: policyLabel(p), kind: p.kind }));
}

export function policySamples(db: Db, projectId: number, input: { left: number; right: number; after?: number; limit?: number }) {
  if (input.left === input.right) throw new ServiceError("BAD_REQUEST", "Pick two different policies to compare.");
  const limit = Math.min(Math.max(1, input.limit ?? SAMPLES_PAGE), 100);
  const first = (policyId: number, column: "id" | "text") =>
    sql.raw(`(select c.${column} from completions c where c.prompt_id = p.id and c.policy_id = ${Number(policyId)} order by c.id limit 1)`);
  const rows = db.all<{ promptId: number; prompt: string; leftId: number; left: string; rightId: number; right: string }>(sql`
    select * from (
      select p.id as promptId, p.text as prompt, ${first(input.left, "id")} as leftId, ${first(input.left, "text")} as "left",
             ${first(input.right, "id")} as rightId, ${first(input.right, "text")} as "right"
      from prompts p
      where p.project_id = ${projectId} and p.id > ${input.after ?? 0}
      order by p.id
    ) where leftId is not null and rightId is not null
    order by promptId limit ${limit + 1}`);
  return { rows: rows.slice(0, limit), next: rows.length > limit ? rows[limit - 1]!.promptId : null };
}
