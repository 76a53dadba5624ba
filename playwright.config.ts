import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// The real server on a temporary database: every e2e run starts from nothing.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const dbDir = process.env.E2E_DB_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "preflab-e2e-"));
process.env.E2E_DB_DIR = dbDir; // workers re-read this config: they must agree on the same file
export const E2E_DB = path.join(dbDir, "preflab.db");

// Debian's chromium, never a browser download (CHROMIUM_PATH overrides).
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(CHROMIUM)) throw new Error(`e2e tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);

export default defineConfig({
  testDir: "e2e",
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    acceptDownloads: true,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: `node bin/preflab.mjs setup --no-seed && node bin/preflab.mjs user add e2e-admin --role admin --password e2e-admin-pw && node node_modules/next/dist/bin/next start -p ${PORT} -H 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/signin`,
    timeout: 120_000,
    reuseExistingServer: false,
    env: { PREFLAB_DB: E2E_DB, NEXT_TELEMETRY_DISABLED: "1" },
    stdout: "pipe",
  },
});
