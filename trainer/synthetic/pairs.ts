// Which pairs a ranking gives a cold-start run. D-REX's noise levels and T-REX's quality ranks are
// both groups best first; members of one group are equally good, so they are never paired.
import type { SyntheticPairing } from "./config";

/** [better, worse] pairs: each member of a group against each member of every later group (all) or of the next one (adjacent). */
export function rankedPairs<T>(groups: readonly (readonly T[])[], pairing: SyntheticPairing): Array<[T, T]> {
  const pairs: Array<[T, T]> = [];
  groups.forEach((better, g) => {
    const worse = (pairing === "adjacent" ? groups.slice(g + 1, g + 2) : groups.slice(g + 1)).flat();
    for (const b of better) for (const w of worse) pairs.push([b, w]);
  });
  return pairs;
}
