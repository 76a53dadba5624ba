import { describe, expect, it } from "vitest";
import { metricGroups } from "./metric-groups";

describe("run page metric charts", () => {
  it("puts each TRL family on its own chart, validation and test beside training, loss first", () => {
    const series = ["rewards/chosen", "logps/chosen", "lr", "loss", "eval_rewards/chosen", "grad_norm", "objective/kl", "beta", "eval_loss", "test_rewards/accuracies", "time/update", "kl_to_reference"];
    expect(metricGroups(series)).toEqual([
      { family: "loss", series: ["loss", "eval_loss"] },
      { family: "rewards", series: ["rewards/chosen", "eval_rewards/chosen", "test_rewards/accuracies"] },
      { family: "logps", series: ["logps/chosen"] },
      { family: "optimizer", series: ["lr", "grad_norm"] },
      { family: "objective", series: ["objective/kl", "beta"] },
      { family: "time", series: ["time/update"] },
      { family: "other", series: ["kl_to_reference"] },
    ]);
  });
});
