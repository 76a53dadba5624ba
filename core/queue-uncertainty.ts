/**
 * Reward-model uncertainty of the open tasks: how close the reward model is to a coin flip on the
 * closest two completions of a task. Under Bradley-Terry, P(a ≻ b) = σ(r_a − r_b), so a pair the
 * model cannot tell apart has σ ≈ ½: the judgement the model learns most from (uncertainty
 * sampling). The scorer is the caller's (linear in the web server, any kind in the worker).
 */
import type { Db } from "../db/client";

export type RewardScorerFn = (items: Array<{ prompt: string; completion: string }>) => number[];

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * ½ − min over the task's pairs of |σ(r_i − r_j) − ½|: ½ when two answers tie on reward, near 0
 * when the model is sure of every pair. A ranking is as uncertain as its least certain pair.
 * Non-finite rewards say nothing: 0.
 */
export function rewardUncertainty(rewards: readonly number[]): number {
  let closest = 0.5;
  for (let i = 0; i < rewards.length; i++) {
    for (let j = i + 1; j < rewards.length; j++) {
      const gap = Math.abs(sigmoid(rewards[i]! - rewards[j]!) - 0.5);
      if (Number.isFinite(gap)) closest = Math.min(closest, gap);
    }
  }
  return 0.5 - closest;
}

/** Tasks per scoring batch: bounds memory (texts may be long) while keeping the scorer's batches full. */
const BATCH = 500;

interface TaskTexts {
  taskId: number;
  prompt: string;
  completions: string[];
}

/** Open non-gold tasks of the project after `afterId`, in id order, with their texts (canonical order). */
function taskBatch(db: Db, projectId: number, afterId: number): TaskTexts[] {
  const rows = db.$client.prepare(`
    select t.id, p.text, c.text from (
      select id, prompt_id, completion_ids from tasks
      where project_id = ? and status = 'open' and is_gold = 0 and id > ? order by id limit ${BATCH}) t
    join prompts p on p.id = t.prompt_id
    join json_each(t.completion_ids) e
    join completions c on c.id = e.value
    order by t.id, e.key`).raw().all(projectId, afterId) as Array<[number, string, string]>;
  const out: TaskTexts[] = [];
  for (const [taskId, prompt, completion] of rows) {
    if (out.at(-1)?.taskId !== taskId) out.push({ taskId, prompt, completions: [] });
    out.at(-1)!.completions.push(completion);
  }
  return out;
}

/** Uncertainty of every open non-gold task of the project, by task id. */
export function uncertaintyScores(db: Db, projectId: number, score: RewardScorerFn): Map<number, number> {
  const out = new Map<number, number>();
  for (let batch = taskBatch(db, projectId, 0); batch.length; batch = taskBatch(db, projectId, batch.at(-1)!.taskId)) {
    const rewards = score(batch.flatMap((t) => t.completions.map((completion) => ({ prompt: t.prompt, completion }))));
    let at = 0;
    for (const t of batch) {
      out.set(t.taskId, rewardUncertainty(rewards.slice(at, at + t.completions.length)));
      at += t.completions.length;
    }
  }
  return out;
}
