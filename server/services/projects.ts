import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { projects } from "../../db/schema";
import { defaultProjectSettings, projectSettingsSchema } from "../../db/types";

export type Project = typeof projects.$inferSelect;

/** Settings stored before a field existed still parse: missing fields take their defaults. */
function withDefaults(project: Project): Project {
  return { ...project, settings: projectSettingsSchema.parse(project.settings ?? {}) };
}

export function findProjectByName(db: Db, name: string): Project | null {
  const row = db.select().from(projects).where(eq(projects.name, name)).get();
  return row ? withDefaults(row) : null;
}

export function getProject(db: Db, id: number): Project | null {
  const row = db.select().from(projects).where(eq(projects.id, id)).get();
  return row ? withDefaults(row) : null;
}

/** The project named `name`, created with default settings when it does not exist yet. */
export function ensureProject(db: Db, name: string, createdBy: number | null): Project {
  const existing = findProjectByName(db, name);
  if (existing) return existing;
  const [created] = db
    .insert(projects)
    .values({ name, settings: defaultProjectSettings(), createdBy })
    .returning()
    .all();
  return withDefaults(created!);
}
