import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { imports, projects } from "../../db/schema";
import { syntheticCounts } from "./synthetic-counts";

/** Every project with the counts a researcher looks at first; synthetic tasks and judgements apart from the others. */
export function listProjectsWithCounts(db: Db) {
  const rows = db
    .select({
      id: projects.id,
      name: projects.name,
      createdAt: projects.createdAt,
      // Correlated subqueries name the outer table explicitly: drizzle leaves columns unqualified.
      prompts: sql<number>`(select count(*) from prompts p where p.project_id = projects.id)`,
      tasks: sql<number>`(select count(*) from tasks t where t.project_id = projects.id and t.synthetic = 0)`,
      openTasks: sql<number>`(select count(*) from tasks t where t.project_id = projects.id and t.status = 'open')`,
      judgements: sql<number>`(select count(*) from judgements j join tasks t on t.id = j.task_id where t.project_id = projects.id and j.undone_at is null and j.source <> 'synthetic')`,
    })
    .from(projects)
    .orderBy(projects.name)
    .all();
  return rows.map((row) => ({ ...row, synthetic: syntheticCounts(db, row.id) }));
}

export function listImports(db: Db, projectId: number) {
  return db.select().from(imports).where(eq(imports.projectId, projectId)).orderBy(desc(imports.id)).all();
}

/** What an annotator may see of the projects: names and how much is left to label. */
export function listProjectsForLabeling(db: Db) {
  return db
    .select({
      id: projects.id,
      name: projects.name,
      openTasks: sql<number>`(select count(*) from tasks t where t.project_id = projects.id and t.status = 'open')`,
    })
    .from(projects)
    .orderBy(projects.name)
    .all();
}
