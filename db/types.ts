import { z } from "zod";

/** Labeling settings of a project; every field has a default so a new project just works. */
export const projectSettingsSchema = z.object({
  /** How many different annotators judge each task (overlap, for agreement). */
  judgementsPerTask: z.number().int().min(1).max(50).default(3),
  /** A lease expires after this long; the task goes back to the queue. */
  leaseSeconds: z.number().int().min(30).max(86_400).default(900),
  /** Tasks one annotator may hold at once (leases that are not yet submitted). */
  maxActiveLeases: z.number().int().min(1).max(100).default(3),
  /** Share of served tasks that are gold items with a known answer. */
  goldRate: z.number().min(0).max(1).default(0.05),
  /** Flags after which a task leaves the queue. */
  flagsToRetire: z.number().int().min(1).max(100).default(2),
  /** Ranked tasks: may two completions share a rank? */
  allowRankTies: z.boolean().default(true),
  /** Ranked tasks: may an annotator rank only some of the completions? */
  allowPartialRanking: z.boolean().default(false),
  /** Seconds within which an annotator may undo their last judgement. */
  undoWindowSeconds: z.number().int().min(0).max(3600).default(30),
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const defaultProjectSettings = (): ProjectSettings => projectSettingsSchema.parse({});

/** How a completion was produced: enough to reproduce it. */
export interface SamplingParams {
  temperature?: number;
  topK?: number;
  topP?: number;
  maxNewTokens?: number;
  seed?: number;
}
