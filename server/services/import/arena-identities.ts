/**
 * Who an Arena battle names: each model becomes (or is again) an imported policy of the project,
 * each judge an external user known only by a hash of Arena's voter id. The raw judge string is
 * never stored, so no export, page or log can show it; the same judge always maps to the same
 * pseudonym, so a second import of the same dump attributes its votes to the same people.
 */
import crypto from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { policies, users } from "../../../db/schema";

/** 16 hex digits (64 bits) of a domain-separated SHA-256: distinct voters never share one. */
export function arenaJudgePseudonym(judge: string): string {
  return `arena-${crypto.createHash("sha256").update(`preflab arena judge\n${judge}`).digest("hex").slice(0, 16)}`;
}

/** Find-or-create lookups for one import, cached so a million battles cost a handful of queries. */
export function createArenaIdentities(db: Db, projectId: number) {
  const policyIds = new Map<string, number>();
  const judgeIds = new Map<string, number>();

  const policyFor = (model: string): number => {
    let id = policyIds.get(model);
    if (id === undefined) {
      const existing = db
        .select({ id: policies.id })
        .from(policies)
        .where(and(eq(policies.projectId, projectId), eq(policies.kind, "imported"), eq(policies.name, model)))
        .orderBy(desc(policies.version))
        .get();
      id = existing?.id ?? db.insert(policies).values({ name: model, kind: "imported", projectId }).returning({ id: policies.id }).get().id;
      policyIds.set(model, id);
    }
    return id;
  };

  // The username is the pseudonym with a colon, which sign-up refuses: no person can take it.
  const judgeFor = (judge: string): number => {
    let id = judgeIds.get(judge);
    if (id === undefined) {
      const pseudonym = arenaJudgePseudonym(judge);
      const username = pseudonym.replace("-", ":");
      const existing = db.select({ id: users.id }).from(users).where(eq(users.username, username)).get();
      id =
        existing?.id ??
        db
          .insert(users)
          .values({ username, pseudonym, role: "annotator", passwordHash: null, disabled: true, external: true })
          .returning({ id: users.id })
          .get().id;
      judgeIds.set(judge, id);
    }
    return id;
  };

  return { policyFor, judgeFor };
}
