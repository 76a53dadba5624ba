import { describe, expect, it } from "vitest";
import { marginForStrength, parseRewardConfig } from "./config";
import { EarlyStopping } from "./early-stopping";

describe("parseRewardConfig", () => {
  it("fills every default from an empty config", () => {
    const config = parseRewardConfig({});
    expect(config).toMatchObject({ kind: "neural", tieMode: "exclude", centering: 0.01, marginByStrength: [0, 0, 0], patience: 3 });
    expect(parseRewardConfig(undefined)).toEqual(config);
  });

  it("names each bad field, including unknown keys", () => {
    expect(() => parseRewardConfig({ tieMode: "half", centering: -1 })).toThrow(/tieMode: .*; centering: /);
    expect(() => parseRewardConfig({ learningrate: 1e-4 })).toThrow(/invalid reward config: .*learningrate/);
  });

  it("maps judgement strength 1..3 to the configured margin, anything else to 0", () => {
    const config = parseRewardConfig({ marginByStrength: [0, 0.5, 1] });
    expect([1, 2, 3, null, 7].map((s) => marginForStrength(s, config))).toEqual([0, 0.5, 1, 0, 0]);
  });
});

describe("EarlyStopping", () => {
  it("stops after `patience` evaluations without improvement beyond minDelta", () => {
    const stop = new EarlyStopping(2, 0.01);
    const decisions = [0.7, 0.6, 0.595, 0.65, 0.5, 0.55, 0.56].map((loss, step) => stop.update(loss, step));
    expect(decisions).toEqual(["improved", "improved", "continue", "stop", "improved", "continue", "stop"]);
    expect([stop.bestLoss, stop.bestStep]).toEqual([0.5, 4]);
    expect(new EarlyStopping(5).update(Number.NaN, 0)).toBe("stop");
  });
});
