/**
 * Advantages of online RL from a reward model, in plain numbers (no gradient flows through them).
 *
 * - PPO (Ziegler 2019, as TRL's PPOTrainer): the reward model scores a whole response; every token
 *   pays −β·KL_t for leaving the reference and the last token also receives the score; GAE turns
 *   these per-token rewards and the value head's estimates into advantages, whitened over the batch.
 * - GRPO (Shao 2024, as TRL's GRPOTrainer): no value function; each of the k samples of a prompt is
 *   scored against its group: (r − mean)/(std + 1e-4), std unbiased as torch.std.
 * - RLOO (Ahmadian 2024, as TRL's RLOOTrainer): the baseline of a sample is the mean reward of the
 *   other k − 1 samples of its prompt, an unbiased baseline (it does not depend on the sample).
 * Groups are contiguous: the k samples of a prompt are adjacent (TRL's GRPO and current RLOO lay
 * them out so; TRL's earlier RLOOTrainer had them k prompts apart).
 */

/** PPO's per-token rewards: −β·KL_t at every response token, plus the sequence score at the last one. */
export function shapedRewards(score: number, klPerToken: readonly number[], beta: number): number[] {
  if (klPerToken.length === 0) throw new RangeError("shapedRewards: a response needs at least one token to carry its score");
  const rewards = klPerToken.map((kl) => -beta * kl);
  rewards[rewards.length - 1] += score;
  return rewards;
}

/**
 * GAE (Schulman 2016) over one response: δ_t = r_t + γ·V_{t+1} − V_t with V = 0 after the last
 * token (the response is over: nothing to bootstrap from), A_t = Σ_k (γλ)^k·δ_{t+k}, computed
 * backwards as A_t = δ_t + γλ·A_{t+1}. Returns (the value head's targets) are A + V.
 */
export function gae(rewards: readonly number[], values: readonly number[], gamma: number, lambda: number): { advantages: number[]; returns: number[] } {
  if (rewards.length !== values.length) throw new RangeError(`gae: ${rewards.length} rewards but ${values.length} values`);
  const advantages = new Array<number>(rewards.length);
  let next = 0; // A_{t+1}
  for (let t = rewards.length - 1; t >= 0; t--) {
    const delta = rewards[t]! + gamma * (values[t + 1] ?? 0) - values[t]!;
    next = delta + gamma * lambda * next;
    advantages[t] = next;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]!) };
}

/**
 * TRL's masked_whiten over every token of a batch (responses of any lengths): (x − mean)/√(var + 1e-8)
 * with the unbiased variance; shiftMean = false adds the mean back (TRL's whiten_rewards keeps it).
 */
export function whiten(values: readonly (readonly number[])[], shiftMean = true): number[][] {
  const flat = values.flat();
  if (flat.length < 2) throw new RangeError(`whiten: needs at least 2 values for an unbiased variance, got ${flat.length}`);
  const mean = flat.reduce((s, x) => s + x, 0) / flat.length;
  const variance = flat.reduce((s, x) => s + (x - mean) ** 2, 0) / (flat.length - 1);
  const scale = 1 / Math.sqrt(variance + 1e-8);
  return values.map((row) => row.map((x) => (x - mean) * scale + (shiftMean ? 0 : mean)));
}

/** The consecutive groups of `groupSize` samples, checked: each prompt's samples are adjacent. */
function groupsOf(rewards: readonly number[], groupSize: number): number[][] {
  if (!Number.isInteger(groupSize) || groupSize < 2) throw new RangeError(`a group needs at least 2 samples of its prompt, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) throw new RangeError(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  return Array.from({ length: rewards.length / groupSize }, (_, g) => rewards.slice(g * groupSize, (g + 1) * groupSize));
}

/** GRPO's group-relative advantages: per group, (r − mean)/(std + 1e-4), std unbiased (torch.std). */
export function groupAdvantages(rewards: readonly number[], groupSize: number): number[] {
  return groupsOf(rewards, groupSize).flatMap((group) => {
    const mean = group.reduce((s, r) => s + r, 0) / groupSize;
    const std = Math.sqrt(group.reduce((s, r) => s + (r - mean) ** 2, 0) / (groupSize - 1));
    return group.map((r) => (r - mean) / (std + 1e-4));
  });
}

/** RLOO's leave-one-out advantages: A_i = r_i − mean_{j≠i} r_j within each group. */
export function leaveOneOutAdvantages(rewards: readonly number[], groupSize: number): number[] {
  return groupsOf(rewards, groupSize).flatMap((group) => {
    const sum = group.reduce((s, r) => s + r, 0);
    return group.map((r) => r - (sum - r) / (groupSize - 1));
  });
}
