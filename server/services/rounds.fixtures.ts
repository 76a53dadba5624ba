/**
 * Test support for the loop's rounds: a project of planted pairs (the answer with the marker word
 * is better) with the auto-loop configured for tiny runs of the built-in policy, and an annotator
 * who labels through the real assignment and submission services.
 */
import path from "node:path";
import { completions, prompts } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { autoLoopSchema, type AutoLoopSettings } from "../../db/types";
import { MARKER, plantedRows } from "../../trainer/reward/executor-fixtures";
import { runOnce } from "../../trainer/worker/worker-loop";
import type { Db } from "../../db/client";
import { pickNextTask } from "./assignment";
import { submitJudgement } from "./judgements";
import { ensureProject } from "./projects";
import { createPairTasks } from "./tasks";
import { addUser, setSettings } from "./tasks-fixtures";

/** Configs small enough for a test on a busy 2-core machine: a linear reward model, a few DPO steps, two short samples. */
export const TINY_LOOP: Partial<AutoLoopSettings> = {
  reward: { kind: "linear", hashBits: 12, validationFraction: 0.1, testFraction: 0.2 },
  policyKind: "dpo",
  policy: { epochs: 1, batchSize: 8, maxLength: 24, evalInterval: 0, checkpointEvery: 0, evaluation: { prompts: 2, maxNewTokens: 4 } },
  sample: { maxPrompts: 2, maxNewTokens: 4 },
};

export function loopProject(pairs: number, autoLoop: Partial<AutoLoopSettings> = {}) {
  const { db, dir, file } = createTestDb();
  const projectId = ensureProject(db, "loop", null).id;
  setSettings(db, projectId, { judgementsPerTask: 1, goldRate: 0, autoLoop: autoLoopSchema.parse({ enabled: true, ...TINY_LOOP, ...autoLoop }) });
  for (const row of plantedRows(pairs)) {
    const promptId = db.insert(prompts).values({ projectId, text: row.prompt }).returning().get().id;
    const ids = [row.chosen, row.rejected].map((text) => db.insert(completions).values({ promptId, origin: "import", text }).returning().get().id);
    createPairTasks(db, projectId, [{ promptId, completionIds: ids }]);
  }
  const annotator = addUser(db, "ann");
  /** Labels the next `n` tasks (the marker answer wins); returns what each submission said. */
  const judge = (n: number) =>
    Array.from({ length: n }, () => {
      const task = pickNextTask(db, annotator.id, projectId).task!;
      const outcome = task.completions[0]!.text.includes(MARKER) ? "left" : "right";
      return submitJudgement(db, annotator.id, { taskId: task.taskId, idempotencyKey: `loop-${task.taskId}`, answer: { kind: "pair", outcome, strength: 2 } });
    });
  return { db, file, projectId, runsRoot: path.join(dir, "runs"), judge };
}

/** Runs the worker until the queue is empty; returns the runs it executed, "id kind" in order. */
export async function drainQueue(db: Db, runsRoot: string): Promise<string[]> {
  const started: string[] = [];
  const log = (line: string) => {
    const m = /^run (\d+) \((\w+)\) started/.exec(line);
    if (m) started.push(`${m[1]} ${m[2]}`);
  };
  while (await runOnce(db, { runsRoot, log }));
  return started;
}
