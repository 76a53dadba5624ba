import { z } from "zod";
import { requireProject } from "../services/assignment";
import { policyLineage } from "../services/lineage";
import { playgroundPolicies } from "../services/playground";
import { policySamples, samplePolicies } from "../services/policy-samples";
import { createTRPCRouter, researcherProcedure } from "../trpc";

const projectId = z.object({ projectId: z.number().int().positive() });

/** A project's policy versions as a family tree, and two versions' answers to the same prompts. */
export const lineageRouter = createTRPCRouter({
  /** Every version (with ancestors): parent, run, data, held-out KL and RM win rate, evaluations against a base. */
  tree: researcherProcedure.input(projectId).query(({ ctx, input }) => policyLineage(ctx.db, requireProject(ctx.db, input.projectId).id)),

  /** Policies with completions in the project: what the sample browser can set side by side. */
  samplePolicies: researcherProcedure.input(projectId).query(({ ctx, input }) => samplePolicies(ctx.db, requireProject(ctx.db, input.projectId).id)),

  /** A page of prompts both policies continued, with each one's completion. */
  samples: researcherProcedure
    .input(projectId.extend({ left: z.number().int().positive(), right: z.number().int().positive(), after: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => policySamples(ctx.db, requireProject(ctx.db, input.projectId).id, input)),

  /** Versions with a checkpoint (the built-in one included): what the playground can run in the browser. */
  playgroundPolicies: researcherProcedure.input(projectId).query(({ ctx, input }) => playgroundPolicies(ctx.db, requireProject(ctx.db, input.projectId).id)),
});
