import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { judgements, tasks } from "../../db/schema";
import { startRaceWorker } from "./judgements-race.fixtures";
import { createPairTasks } from "./tasks";
import { addPrompt, addUser, labelingDb } from "./tasks-fixtures";

describe("two processes labeling the same database at once", () => {
  it("never overshoots a target and never gives anyone a task twice", async () => {
    const { db, file, projectId } = labelingDb({ judgementsPerTask: 3 });
    for (let i = 0; i < 30; i++) {
      const p = addPrompt(db, projectId, 2, `race prompt ${i}`);
      createPairTasks(db, projectId, [{ promptId: p.promptId, completionIds: p.completionIds }]);
    }
    const people = Array.from({ length: 8 }, (_, i) => addUser(db, `racer${i}`).id);
    const workers = await Promise.all([people.slice(0, 4), people.slice(4)].map((ids) => startRaceWorker([file, String(projectId), ids.join(",")])));
    workers.forEach((w) => w.go());
    const totals = await Promise.all(workers.map((w) => w.result()));
    const stored = db.select().from(judgements).all();
    expect(totals.reduce((s, t) => s + t.submitted, 0)).toBe(stored.length);
    expect(stored).toHaveLength(90); // 30 tasks x 3: every slot filled, none twice
    for (const task of db.select().from(tasks).all()) {
      const onTask = db.select().from(judgements).where(eq(judgements.taskId, task.id)).all();
      expect(task).toMatchObject({ judgementCount: 3, status: "complete" });
      expect(new Set(onTask.map((j) => j.annotatorId)).size).toBe(3);
    }
  });
});
