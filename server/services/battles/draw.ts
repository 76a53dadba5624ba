/**
 * Which two policies answer a battle, by the project's sampling rule: "uniform", every unordered
 * pair alike; "fewer-games", a pair drawn with weight 1 / (1 + the judged games between the two so
 * far), so new policies and rarely compared pairs catch up (Chatbot Arena weights its new models
 * up for the same reason). Which one is shown left is a fair coin, so neither side tells a name.
 */
import type { BattleSampling } from "../../../db/enums";
import type { Rng } from "../../../stats/random";

/** Unordered pair key: the smaller id first. */
export const pairKey = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);

export interface WeightedPair {
  pair: [number, number];
  weight: number;
}

/** Every unordered pair of `ids` with its weight under `rule`; `games` by pairKey. */
export function pairWeights(ids: readonly number[], games: ReadonlyMap<string, number>, rule: BattleSampling): WeightedPair[] {
  const out: WeightedPair[] = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++)
      out.push({ pair: [ids[i]!, ids[j]!], weight: rule === "uniform" ? 1 : 1 / (1 + (games.get(pairKey(ids[i]!, ids[j]!)) ?? 0)) });
  return out;
}

/** [left, right]: a pair drawn with probability proportional to its weight, then its sides by a coin. */
export function drawPair(ids: readonly number[], games: ReadonlyMap<string, number>, rule: BattleSampling, rng: Rng): [number, number] {
  const pairs = pairWeights(ids, games, rule);
  if (pairs.length === 0) throw new RangeError("a battle needs two policies");
  const total = pairs.reduce((s, p) => s + p.weight, 0);
  let r = rng() * total;
  const chosen = pairs.find((p) => (r -= p.weight) < 0) ?? pairs.at(-1)!;
  return rng() < 0.5 ? chosen.pair : [chosen.pair[1], chosen.pair[0]];
}
