import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { UserRole } from "../../db/enums";
import { completions, policies, projects, prompts, users } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { projectSettingsSchema, type ProjectSettings } from "../../db/types";
import type { SessionUser } from "./auth";
import { ensureProject } from "./projects";
import { createPairTasks } from "./tasks";

/**
 * Test fixtures for the labeling services: a real migrated SQLite file with a project, people
 * and prompts. Users are inserted directly (no password): hashing with scrypt in every test
 * would spend seconds on something these tests do not check.
 */

export function addUser(db: Db, username: string, role: UserRole = "annotator"): SessionUser {
  const [row] = db
    .insert(users)
    .values({ username, role, pseudonym: `ann-${crypto.randomBytes(4).toString("hex")}` })
    .returning({ id: users.id, username: users.username, role: users.role, pseudonym: users.pseudonym })
    .all();
  return row!;
}

export function setSettings(db: Db, projectId: number, settings: Partial<ProjectSettings>): void {
  db.update(projects).set({ settings: projectSettingsSchema.parse(settings) }).where(eq(projects.id, projectId)).run();
}

/** A prompt with `n` completions from a named policy; returns the ids. */
export function addPrompt(db: Db, projectId: number, n: number, text = "Write a haiku about rain.") {
  const policy = db.insert(policies).values({ name: "secret-policy-name", kind: "builtin" }).returning({ id: policies.id }).get();
  const promptId = db.insert(prompts).values({ projectId, text }).returning({ id: prompts.id }).get().id;
  const completionIds = Array.from({ length: n }, (_, i) =>
    db.insert(completions).values({ promptId, policyId: policy.id, origin: "policy", text: `answer ${i} to ${text}` }).returning({ id: completions.id }).get().id,
  );
  return { promptId, completionIds };
}

/** A fresh database with one project (settings as given, defaults otherwise). */
export function labelingDb(settings: Partial<ProjectSettings> = {}) {
  const { db, file } = createTestDb();
  const project = ensureProject(db, "labeling-test", null);
  setSettings(db, project.id, { goldRate: 0, ...settings });
  return { db, file, projectId: project.id };
}

/** A labeling project with `n` pair tasks, one prompt each. */
export function pairProject(n: number, settings: Partial<ProjectSettings> = {}) {
  const fx = labelingDb(settings);
  const taskIds = Array.from({ length: n }, (_, i) => {
    const { promptId, completionIds } = addPrompt(fx.db, fx.projectId, 2, `prompt ${i}`);
    return createPairTasks(fx.db, fx.projectId, [{ promptId, completionIds }]).created[0]!;
  });
  return { ...fx, taskIds };
}
