import { z } from "zod";
import { requireProject } from "../services/assignment";
import { checkEndpointPolicy, endpointPolicyInput, listEndpointPolicies, registerEndpointPolicy } from "../services/external-policies";
import { createTRPCRouter, researcherProcedure } from "../trpc";

const projectId = z.object({ projectId: z.number().int().positive() });

/** External policies: OpenAI-compatible endpoints registered as a project's policies. */
export const endpointsRouter = createTRPCRouter({
  /** The project's endpoints with how they are called (never their API keys). */
  list: researcherProcedure.input(projectId).query(({ ctx, input }) => listEndpointPolicies(ctx.db, requireProject(ctx.db, input.projectId).id)),

  register: researcherProcedure.input(endpointPolicyInput).mutation(({ ctx, input }) => registerEndpointPolicy(ctx.db, input)),

  /** A short request to the endpoint now: its answer, or the error sampling from it would give. */
  check: researcherProcedure.input(z.object({ policyId: z.number().int().positive() })).mutation(({ ctx, input }) => checkEndpointPolicy(ctx.db, input.policyId)),
});
