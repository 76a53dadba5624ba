// The two processes of the HTTP load bench: the server (preflab's real route handlers, or the
// built Next.js app) in a child process, and autocannon in this one, driving annotators who each
// fetch their next task and submit a judgement for it, over and over.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon, { type RequestStep } from "autocannon";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface ServerProcess {
  url: string;
  kind: "api" | "next";
  /** CPU seconds (user + system) the server process has used so far; NaN where /proc is missing. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

function cpuSecondsOf(pid: number | undefined): () => number {
  return () => {
    const stat = pid !== undefined && fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, "utf8") : "";
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) ": state is field 3
    return stat ? (Number(fields[11]) + Number(fields[12])) / USER_HZ : NaN; // utime, stime: fields 14, 15
  };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
}

/** sim/api-server.ts in a child process: the real tRPC handler behind a plain node:http server. */
async function startApiProcess(dbFile: string, port: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/load-server.ts"), dbFile, String(port)], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the bench server exited with ${code} before listening`)));
  });
  return { url: firstLine.trim(), kind: "api", cpuSeconds: cpuSecondsOf(child.pid), stop: stopper(child) };
}

/**
 * `next start` on a build in PREFLAB_NEXT_DIST_DIR (BENCH_NEXT_DIST_DIR), ready once it answers.
 * Next.js adds that folder's types to tsconfig.json when it starts: put the committed file back after.
 */
async function startNextProcess(dbFile: string, port: number, distDir: string): Promise<ServerProcess> {
  if (!fs.existsSync(path.join(ROOT, distDir, "BUILD_ID")))
    throw new Error(`no Next.js build in ${distDir}: run PREFLAB_NEXT_DIST_DIR=${distDir} npm run build first`);
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port)], {
    cwd: ROOT,
    env: { ...process.env, PREFLAB_DB: dbFile, PREFLAB_NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    const up = await fetch(`${url}/api/trpc/auth.status`).then(() => true, () => false);
    if (up) return { url, kind: "next", cpuSeconds: cpuSecondsOf(child.pid), stop: stopper(child) };
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling a port that is not open yet
  }
}

export function startServerProcess(dbFile: string, port: number): Promise<ServerProcess> {
  const distDir = process.env.BENCH_NEXT_DIST_DIR;
  return distDir ? startNextProcess(dbFile, port, distDir) : startApiProcess(dbFile, port);
}

export interface CallStats {
  /** Milliseconds of every 2xx response, in arrival order. */
  latencies: number[];
  failures: number;
  firstFailure?: string;
}

export interface LoopResult {
  seconds: number;
  next: CallStats;
  submit: CallStats;
}

type Kind = "next" | "submit";

/** Across every loop of this process: a retry key is never reused, whichever loop sends it. */
let submissions = 0;

/**
 * `connections` annotators at once, each looping next → submit on its own keep-alive
 * connection; each loop borrows a signed-in annotator (a session cookie) from the pool and
 * returns it after the submit, so no two connections act as the same person. The submit answers
 * the task that annotator's `next` just leased, with a fresh idempotency key.
 */
export async function annotatorLoop(url: string, cookies: string[], projectId: number, connections: number, seconds: number): Promise<LoopResult> {
  if (cookies.length < connections) throw new Error(`${connections} connections need as many annotators, not ${cookies.length}`);
  const pool = [...cookies];
  const stats: Record<Kind, CallStats> = { next: { latencies: [], failures: 0 }, submit: { latencies: [], failures: 0 } };
  let answered: Kind = "next"; // set by onResponse, read by the response event autocannon emits right after it
  const headers = (cookie: string) => ({ "content-type": "application/json", origin: new URL(url).origin, cookie });
  const fail = (kind: Kind, status: number, body: string) => {
    stats[kind].failures += 1;
    stats[kind].firstFailure ??= `HTTP ${status}: ${body.slice(0, 200)}`;
  };
  const steps: RequestStep[] = [
    {
      method: "POST",
      path: "/api/trpc/labeling.next",
      setupRequest: (request, context) => {
        context.cookie = pool.pop();
        return { ...request, headers: headers(context.cookie as string), body: JSON.stringify({ json: { projectId } }) };
      },
      onResponse: (status, body, context) => {
        answered = "next";
        const taskId = status === 200 ? /"taskId":(\d+)/.exec(body)?.[1] : undefined;
        if (status !== 200) fail("next", status, body);
        if (taskId) context.taskId = Number(taskId);
        else pool.push(context.cookie as string); // nothing to submit: the loop restarts
      },
    },
    {
      method: "POST",
      path: "/api/trpc/labeling.submit",
      setupRequest: (request, context) => {
        if (context.taskId === undefined) return null;
        const answer = { kind: "pair", outcome: submissions % 5 === 0 ? "tie" : "left", strength: submissions % 5 === 0 ? null : 2 };
        const input = { taskId: context.taskId, idempotencyKey: `load-${process.pid}-${submissions++}`, answer, clientSeconds: 8 };
        return { ...request, headers: headers(context.cookie as string), body: JSON.stringify({ json: input }) };
      },
      onResponse: (status, body, context) => {
        answered = "submit";
        if (status !== 200) fail("submit", status, body);
        pool.push(context.cookie as string);
      },
    },
  ];
  const instance = autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 30, requests: steps });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) stats[answered].latencies.push(ms);
  });
  const result = await instance;
  return { seconds: result.duration, next: stats.next, submit: stats.submit };
}

/**
 * One "next task" per annotator, one at a time, before anything is measured: the server counts
 * each annotator's history once on first sight (db/annotator-counts.ts), a one-off per server
 * start that would otherwise land in whichever level first meets that annotator.
 */
export async function meetEveryAnnotator(url: string, cookies: string[], projectId: number): Promise<void> {
  for (const cookie of cookies) {
    const res = await fetch(`${url}/api/trpc/labeling.next`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: new URL(url).origin, cookie },
      body: JSON.stringify({ json: { projectId } }),
    });
    if (!res.ok) throw new Error(`labeling.next for the warm-up: HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    await res.arrayBuffer();
  }
}

/** Milliseconds to GET a tRPC query, body read in full. */
export async function timedQuery(url: string, cookie: string, procedure: string, input: unknown): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers: { cookie } });
  const body = await res.text();
  if (!res.ok) throw new Error(`${procedure}: HTTP ${res.status}: ${body.slice(0, 200)}`);
  return performance.now() - started;
}
