import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { judgements, tasks } from "../../db/schema";
import { createPairTasks } from "./tasks";
import { addPrompt, addUser, labelingDb } from "./tasks-fixtures";

const WORKER = path.resolve("server/services/judgements-race-worker.ts");
const TSX = path.resolve("node_modules/.bin/tsx");

/** Starts a worker process and resolves once it is loaded and waiting for the start signal. */
async function startWorker(args: string[]) {
  const child = spawn(TSX, [WORKER, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  while (!out.includes("ready\n")) await once(child.stdout, "data");
  const exited = once(child, "exit");
  return {
    go: () => child.stdin.write("go\n"),
    result: async () => {
      const [code] = await exited;
      expect(code).toBe(0);
      return JSON.parse(out.split("\n")[1]!) as { submitted: number };
    },
  };
}

describe("two processes labeling the same database at once", () => {
  it("never overshoots a target and never gives anyone a task twice", async () => {
    const { db, file, projectId } = labelingDb({ judgementsPerTask: 3 });
    for (let i = 0; i < 30; i++) {
      const p = addPrompt(db, projectId, 2, `race prompt ${i}`);
      createPairTasks(db, projectId, [{ promptId: p.promptId, completionIds: p.completionIds }]);
    }
    const people = Array.from({ length: 8 }, (_, i) => addUser(db, `racer${i}`).id);
    const workers = await Promise.all([people.slice(0, 4), people.slice(4)].map((ids) => startWorker([file, String(projectId), ids.join(",")])));
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
