import type { z } from "zod";
import type { RunKind } from "../db/enums";
import { rewardConfigSchema } from "./reward/config";
import { lmRunConfigSchema } from "./train/lm-run-config";

/**
 * The config schema of every run kind this build can execute (zod only: the web server
 * validates configs with these without loading TensorFlow.js). A kind that is absent here is
 * not offered and not accepted.
 */
export const runConfigSchemas: Partial<Record<RunKind, z.ZodType<Record<string, unknown>>>> = {
  reward: rewardConfigSchema,
  pretrain: lmRunConfigSchema,
  sft: lmRunConfigSchema,
};

export function availableRunKinds(): RunKind[] {
  return Object.keys(runConfigSchemas) as RunKind[];
}
