import { createTRPCRouter } from "../trpc";

/** The labeling procedures (issue 3). */
export const labelingRouter = createTRPCRouter({});
