// One round's "policy samples → labeling queue" step: a `sample` run (trainer/sample/), queued and
// executed here like any run, on exactly this round's new prompts.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { tasks } from "../db/schema";
import { runHere, type RunHereOptions } from "./run-here";

export interface SampleStep {
  projectId: number;
  policyId: number;
  promptIds: number[];
  /** Two samples of one policy make one pair task per prompt (identical draws make none); 3 to 9 one ranking. */
  samplesPerPolicy: number;
  maxNewTokens: number;
  temperature: number;
  seed: number;
}

/** Queues pair (or ranking) tasks of the policy's samples; returns how many tasks were created. */
export async function sampleIntoQueue(db: Db, s: SampleStep, o: RunHereOptions): Promise<number> {
  const count = () => db.select({ id: tasks.id }).from(tasks).where(eq(tasks.projectId, s.projectId)).all().length;
  const before = count();
  const config = {
    policyIds: [s.policyId], prompts: s.promptIds, maxPrompts: s.promptIds.length, samplesPerPolicy: s.samplesPerPolicy, layout: s.samplesPerPolicy > 2 ? "rank" : "pair",
    temperature: s.temperature, maxNewTokens: s.maxNewTokens, seed: s.seed, priority: 1,
  };
  await runHere(db, "sample", s.projectId, config, o);
  return count() - before;
}
