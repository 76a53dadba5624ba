import { createTRPCRouter } from "../trpc";

/** The quality procedures (issue 3). */
export const qualityRouter = createTRPCRouter({});
