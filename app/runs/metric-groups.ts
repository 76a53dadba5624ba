// Which metrics share a chart on the run page: one chart per family (TRL's prefixes: rewards/,
// logps/, objective/, policy/, ...), validation and test values beside the training ones, so
// numbers of different scales (log-probs near −100, accuracies in 0..1, seconds) never squash
// each other onto one axis.

const SAME_AS: Record<string, string> = {
  loss: "loss", val_loss: "loss", lr: "optimizer", grad_norm: "optimizer", beta: "objective", kl: "objective",
  response_length: "objective", tokens: "optimizer",
};

/** The family a series is charted with: "rewards" for eval_rewards/chosen, "loss" for val_loss. */
export function metricFamily(series: string): string {
  if (SAME_AS[series]) return SAME_AS[series]!;
  const bare = series.replace(/^(eval_|test_|val_)/, "");
  if (SAME_AS[bare]) return SAME_AS[bare]!;
  return bare.includes("/") ? bare.split("/")[0]! : "other";
}

/** Series grouped by family, loss first, families in first-seen order otherwise. */
export function metricGroups(series: readonly string[]): Array<{ family: string; series: string[] }> {
  const groups = new Map<string, string[]>();
  for (const name of series) {
    const family = metricFamily(name);
    groups.set(family, [...(groups.get(family) ?? []), name]);
  }
  return [...groups].map(([family, members]) => ({ family, series: members })).sort((a, b) => Number(b.family === "loss") - Number(a.family === "loss"));
}
