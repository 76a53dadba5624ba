import { describe, expect, it } from "vitest";
import { EarlyStopping } from "./early-stopping";

describe("early stopping", () => {
  it("counts evaluations without an improvement beyond minDelta, and restarts the count on a better one", () => {
    const s = new EarlyStopping({ metric: "val_loss", mode: "min", patience: 2, minDelta: 0.01 });
    const decisions = [0.7, 0.6, 0.595, 0.65, 0.5, 0.55, 0.56].map((v, step) => s.update(v, step));
    expect(decisions).toEqual(["improved", "improved", "continue", "stop", "improved", "continue", "stop"]);
    expect([s.best, s.bestStep]).toEqual([0.5, 4]);
  });

  it("maximises accuracies, stops on a non-finite value, and restores what a checkpoint saved", () => {
    const s = new EarlyStopping({ metric: "val_accuracy", mode: "max", patience: 3 });
    expect([0.5, 0.6, 0.55].map((v, i) => s.update(v, i))).toEqual(["improved", "improved", "continue"]);
    const restored = new EarlyStopping(s.config);
    restored.restore(s.state());
    expect(restored.update(0.58, 3)).toBe("continue");
    expect(restored.update(0.59, 4)).toBe("stop"); // the count carried over: 3 without improvement
    expect(new EarlyStopping(s.config).update(Number.NaN, 0)).toBe("stop");
  });
});
