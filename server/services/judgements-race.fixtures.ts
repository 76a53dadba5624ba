import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { expect } from "vitest";

const WORKER = path.resolve("server/services/judgements-race-worker.ts");
const TSX = path.resolve("node_modules/.bin/tsx");

/**
 * Starts a process of annotators labelling as fast as they can (judgements-race-worker.ts) and
 * resolves once it is loaded and waiting for the start signal, so two of them really race.
 */
export async function startRaceWorker(args: string[]) {
  const child = spawn(TSX, [WORKER, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  while (!out.includes("ready\n")) await once(child.stdout, "data");
  const exited = once(child, "exit");
  return {
    go: () => child.stdin.write("go\n"),
    result: async () => {
      const [code] = await exited;
      expect(code).toBe(0);
      return JSON.parse(out.split("\n")[1]!) as { submitted: number };
    },
  };
}
