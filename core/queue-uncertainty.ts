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

/** Tasks per call of the scorer: bounds memory (texts may be long) while keeping its batches full. */
const BATCH = 500;

interface TaskTexts {
  taskId: number;
  prompt: string;
  completions: string[];
}

/**
 * Open non-gold tasks of the project in id order, with their texts (canonical order), from one
 * streamed query: a pass reads each task once (batches by `id > ?` would re-read the project's
 * open tasks for every batch, since no index holds them in id order).
 */
function* openTaskTexts(db: Db, projectId: number): Generator<TaskTexts> {
  const rows = db.$client.prepare(`
    select t.id, p.text, c.text from tasks t
    join prompts p on p.id = t.prompt_id
    join json_each(t.completion_ids) e
    join completions c on c.id = e.value
    where t.project_id = ? and t.status = 'open' and t.is_gold = 0
    order by t.id, e.key`).raw().iterate(projectId) as Iterable<[number, string, string]>;
  let task = null as TaskTexts | null; // "as": a declared null would stay narrowed to null after the loop
  for (const [taskId, prompt, completion] of rows) {
    if (task?.taskId !== taskId) {
      if (task) yield task;
      task = { taskId, prompt, completions: [] };
    }
    task.completions.push(completion);
  }
  if (task) yield task;
}

/** Uncertainty of every open non-gold task of the project, by task id. */
export function uncertaintyScores(db: Db, projectId: number, score: RewardScorerFn): Map<number, number> {
  const out = new Map<number, number>();
  let batch: TaskTexts[] = [];
  const flush = () => {
    const rewards = score(batch.flatMap((t) => t.completions.map((completion) => ({ prompt: t.prompt, completion }))));
    let at = 0;
    for (const t of batch) {
      out.set(t.taskId, rewardUncertainty(rewards.slice(at, at + t.completions.length)));
      at += t.completions.length;
    }
    batch = [];
  };
  for (const task of openTaskTexts(db, projectId)) {
    batch.push(task);
    if (batch.length === BATCH) flush();
  }
  if (batch.length) flush();
  return out;
}
