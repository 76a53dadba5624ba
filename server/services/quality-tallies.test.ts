import { describe, expect, it } from "vitest";
import { fleissKappa, krippendorffAlpha, type Unit } from "../../stats/agreement";
import { createRng, uniformInt } from "../../stats/random";
import { CoincidenceTally, FleissTally } from "./quality-tallies";

/** Random units of 0..5 values drawn from `values`, skewed so agreement is above chance. */
function randomUnits(seed: number, values: readonly number[]): Unit[] {
  const rng = createRng(seed);
  return Array.from({ length: 300 }, (_, i) => {
    const favourite = values[uniformInt(rng, values.length)]!;
    const size = uniformInt(rng, 6);
    return { item: String(i), values: Array.from({ length: size }, () => (uniformInt(rng, 3) === 0 ? values[uniformInt(rng, values.length)]! : favourite)) };
  });
}

describe("streaming tallies", () => {
  it("FleissTally gives exactly fleissKappa's result over the same units", () => {
    for (const seed of [1, 2, 3]) {
      const units = randomUnits(seed, [4, 1, 7, 2]);
      const tally = new FleissTally();
      for (const u of units) tally.addUnit(u.values as number[], u.values.length);
      const names = (code: number) => `c${code}`;
      const reference = fleissKappa(units.map((u) => ({ item: u.item, values: u.values.map((v) => names(v as number)) })));
      expect(tally.result(names)).toEqual(reference);
      expect(tally.units).toBe(units.filter((u) => u.values.length >= 2).length);
    }
  });

  it("CoincidenceTally gives exactly krippendorffAlpha's ordinal result over the same units", () => {
    for (const seed of [4, 5, 6]) {
      const units = randomUnits(seed, [3, -3, 0, 2, -1, 100]);
      const tally = new CoincidenceTally();
      for (const u of units) tally.addUnit(u.values as number[], u.values.length);
      expect(tally.ordinalAlpha()).toEqual(krippendorffAlpha(units, "ordinal"));
    }
  });

  it("report nothing when no unit has two values", () => {
    const [fleiss, alpha] = [new FleissTally(), new CoincidenceTally()];
    fleiss.addUnit([1], 1);
    alpha.addUnit([1], 1);
    expect(fleiss.result(String)).toBeNull();
    expect(alpha.ordinalAlpha()).toBeNull();
  });
});
