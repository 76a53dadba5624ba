/** What the battle page offers an annotator: the battle projects, and prompts of one to pick from. */
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { projects, prompts } from "../../../db/schema";
import { projectSettingsSchema } from "../../../db/types";
import { requireProject } from "../assignment";
import { ServiceError } from "../errors";

/** Projects in battle mode: names only (settings and policies stay with researchers). */
export function battleProjects(db: Db) {
  return db.select({ id: projects.id, name: projects.name, settings: projects.settings }).from(projects).orderBy(asc(projects.name)).all()
    .filter((p) => projectSettingsSchema.parse(p.settings ?? {}).battle.enabled)
    .map((p) => ({ id: p.id, name: p.name }));
}

const PICK_LIMIT = 30;

/** Prompts of a battle project to start from, newest first, filtered by what they contain. */
export function battlePrompts(db: Db, projectId: number, search = "") {
  const project = requireProject(db, projectId);
  if (!project.settings.battle.enabled) throw new ServiceError("PRECONDITION_FAILED", `"${project.name}" is not a battle project.`);
  const wanted = search.trim().toLowerCase();
  return db.select({ id: prompts.id, text: prompts.text }).from(prompts)
    .where(and(eq(prompts.projectId, projectId), wanted ? sql`instr(lower(${prompts.text}), ${wanted}) > 0` : undefined))
    .orderBy(desc(prompts.id)).limit(PICK_LIMIT).all();
}
