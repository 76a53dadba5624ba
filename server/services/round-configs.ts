/**
 * The configs a round of the loop runs with, each validated against its kind's schema: the ones
 * the project's auto-loop settings give, else "the last ones used" (the project's newest
 * succeeded run of that kind), else the kind's defaults. A round always trains from the project's
 * newest policy, with its own new reward model (RL kinds), and samples the new version against
 * the one it started from: those ids are left for the worker to fill in (trainer/worker/auto-loop.ts).
 */
import { and, desc, eq, inArray, isNotNull, notInArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { RunKind } from "../../db/enums";
import { evaluations, trainingRuns, type RoundConfigs } from "../../db/schema";
import type { AutoLoopSettings } from "../../db/types";
import { availableRunKinds, runKindSpec } from "../../trainer/launcher";
import { ServiceError } from "./errors";
import { parseRunConfig, type RunOrigin } from "./runs";

/** Kinds that train a new policy version on a project's judgements: what a round's policy step may be. */
export const roundPolicyKinds = (): RunKind[] =>
  availableRunKinds().filter((kind) => runKindSpec(kind)!.producesPolicy && runKindSpec(kind)!.needsProject);

type Source = { kind: RunKind; config: Record<string, unknown>; origin: RunOrigin };

/**
 * The project's newest succeeded run of these kinds. A human comparison's sample run (an
 * evaluation's blind pairs on chosen prompts) is not a loop's sampling and is skipped. Its config
 * was accepted when it was queued, paths from the CLI included, so it is trusted as the CLI's.
 */
function lastUsed(db: Db, projectId: number, kinds: RunKind[]): Source | undefined {
  const comparisons = db.select({ id: evaluations.humanRunId }).from(evaluations).where(and(eq(evaluations.projectId, projectId), isNotNull(evaluations.humanRunId)));
  const run = db.select({ kind: trainingRuns.kind, config: trainingRuns.config }).from(trainingRuns)
    .where(and(eq(trainingRuns.projectId, projectId), inArray(trainingRuns.kind, kinds), eq(trainingRuns.status, "succeeded"), notInArray(trainingRuns.id, comparisons)))
    .orderBy(desc(trainingRuns.id)).get();
  return run && { ...run, origin: "cli" };
}

function fromSettings(kind: RunKind, config: Record<string, unknown> | null): Source | undefined {
  return config ? { kind, config, origin: "api" } : undefined;
}

function policySource(db: Db, projectId: number, loop: AutoLoopSettings): Source {
  const kinds = roundPolicyKinds();
  const last = lastUsed(db, projectId, kinds);
  const kind = loop.policyKind ?? last?.kind ?? "dpo";
  if (!kinds.includes(kind)) throw new ServiceError("BAD_REQUEST", `A round's policy run trains a new policy on the project's judgements; "${kind}" does not (one of ${kinds.join(", ")}).`);
  return fromSettings(kind, loop.policy) ?? (last?.kind === kind ? last : { kind, config: {}, origin: "api" });
}

/** Drops the ids each round sets itself (start policy, reward model, sample policies, sampleAfter). */
function withoutRoundIds(config: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !keys.includes(key)));
}

/** The three validated configs of the project's next round (a ServiceError names the bad field). */
export function resolveRoundConfigs(db: Db, projectId: number, loop: AutoLoopSettings): RoundConfigs {
  const reward = fromSettings("reward", loop.reward) ?? lastUsed(db, projectId, ["reward"]) ?? { kind: "reward", config: {}, origin: "api" };
  const policy = policySource(db, projectId, loop);
  const sample = fromSettings("sample", loop.sample) ?? lastUsed(db, projectId, ["sample"]) ?? { kind: "sample", config: {}, origin: "api" };
  return {
    reward: parseRunConfig("reward", reward.config, reward.origin),
    policy: { kind: policy.kind, config: parseRunConfig(policy.kind, withoutRoundIds(policy.config, ["policyId", "rewardModelId", "sampleAfter"]), policy.origin) },
    sample: parseRunConfig("sample", withoutRoundIds(sample.config, ["policyIds"]), sample.origin),
  };
}
