import { defineConfig } from "vitest/config";

// Unit tests live beside the code they test (`*.test.ts`); e2e specs are Playwright's.
export default defineConfig({
  test: {
    include: ["{core,db,server,trainer,bin,app,stats,sim}/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
