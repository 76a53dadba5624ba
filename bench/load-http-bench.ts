// Issue 13, load: the labeling API over real HTTP from a second process, on the shared database
// holding 1,000,000 judgements (bench-db.ts). The server runs in a child process (the real route
// handlers; BENCH_NEXT_DIST_DIR=.next/NAME runs `next start` on that build instead) and autocannon
// drives 1, 10 and 100 annotators from this one, each looping "next task" → "submit"
// (BENCH_LOAD_SECONDS per level, default 10). Then the researcher's dashboard quality calls over
// the same HTTP: the first view, repeated views, and a view right after a submission.
import os from "node:os";
import { createSession, SESSION_COOKIE } from "../server/services/auth";
import { openBenchDatabase, removeBenchDatabase } from "./bench-db";
import { annotatorLoop, meetEveryAnnotator, startServerProcess, timedQuery, type CallStats, type LoopResult } from "./load-http";

type Row = Record<string, string | number>;

const PORT = Number(process.env.BENCH_LOAD_PORT ?? 3206);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const LEVELS = [1, 10, 100];
const REPEATED_VIEWS = 5;
const TARGETS = { submitPerSecond: 2000, submitP99: 50, nextP99: 20, repeatedViewMs: 100 };

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
};
const round = (x: number) => Number(x.toPrecision(3));
const load1 = () => os.loadavg()[0]!.toFixed(2);

function row(model: string, metric: string, value: number, note: string, target?: { text: string; met: boolean }): Row {
  return { bench: "load", model, metric, value: round(value), target: target?.text ?? "", met: target ? (target.met ? "yes" : "NO") : "", note };
}

function levelRows(n: number, kind: "next" | "submit", stats: CallStats, seconds: number, note: string): Row[] {
  const model = `labeling.${kind} over HTTP, ${n} annotator${n === 1 ? "" : "s"}`;
  const rate = stats.latencies.length / seconds;
  const p99 = percentile(stats.latencies, 0.99);
  const failures = stats.failures ? `; ${stats.failures} failed (${stats.firstFailure})` : "";
  return [
    row(model, "req/s", rate, note + failures, kind === "submit" ? { text: `≥ ${TARGETS.submitPerSecond}`, met: rate >= TARGETS.submitPerSecond } : undefined),
    row(model, "p50 ms", percentile(stats.latencies, 0.5), note),
    row(model, "p99 ms", p99, note, { text: `< ${kind === "submit" ? TARGETS.submitP99 : TARGETS.nextP99}`, met: p99 < (kind === "submit" ? TARGETS.submitP99 : TARGETS.nextP99) }),
  ];
}

/** One more judgement through the API, so the next dashboard view has something new to count. */
async function submitOne(url: string, cookie: string, projectId: number): Promise<void> {
  const headers = { "content-type": "application/json", origin: url, cookie };
  const post = (procedure: string, input: unknown) =>
    fetch(`${url}/api/trpc/${procedure}`, { method: "POST", headers, body: JSON.stringify({ json: input }) }).then((r) => r.text());
  const taskId = Number(/"taskId":(\d+)/.exec(await post("labeling.next", { projectId }))?.[1]);
  const answer = { kind: "pair", outcome: "right", strength: 1 };
  const submitted = await post("labeling.submit", { taskId, idempotencyKey: `load-view-${process.pid}`, answer });
  if (!submitted.includes("judgementId")) throw new Error(`submission for the dashboard bench failed: ${submitted.slice(0, 200)}`);
}

async function dashboardRows(url: string, researcher: string, annotator: string, projectId: number): Promise<Row[]> {
  const calls = ["quality.projectAgreement", "quality.annotators", "quality.projectProgress"];
  const first = new Map<string, number>();
  const repeated = new Map<string, number[]>();
  for (const call of calls) first.set(call, await timedQuery(url, researcher, call, { projectId }));
  for (const call of calls) repeated.set(call, await sequence(REPEATED_VIEWS, () => timedQuery(url, researcher, call, { projectId })));
  await submitOne(url, annotator, projectId);
  const afterSubmit = new Map<string, number>();
  for (const call of calls) afterSubmit.set(call, await timedQuery(url, researcher, call, { projectId }));
  const note = `over HTTP, 1,000,000+ judgements; load ${load1()}`;
  const target = (ms: number) => ({ text: `< ${TARGETS.repeatedViewMs}`, met: ms < TARGETS.repeatedViewMs });
  return calls.flatMap((call) => [
    row(call, "first view ms", first.get(call)!, note),
    row(call, `repeated view p50 ms (${REPEATED_VIEWS})`, percentile(repeated.get(call)!, 0.5), note, target(percentile(repeated.get(call)!, 0.5))),
    row(call, "view after a submission ms", afterSubmit.get(call)!, `${note}; recomputed in full`),
  ]);
}

async function sequence(n: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

export async function run(): Promise<Row[]> {
  const bench = openBenchDatabase();
  const cookies = bench.annotatorIds.map((id) => `${SESSION_COOKIE}=${createSession(bench.db, id).token}`);
  const researcherId = Number(bench.db.$client.prepare("insert into users (username, role, pseudonym) values ('bench-researcher', 'researcher', 'res-bench')").run().lastInsertRowid);
  const researcher = `${SESSION_COOKIE}=${createSession(bench.db, researcherId).token}`;
  bench.db.$client.close(); // the server process owns the database from here
  const server = await startServerProcess(bench.file, PORT);
  const rows: Row[] = [];
  try {
    await meetEveryAnnotator(server.url, cookies, bench.projectId);
    await annotatorLoop(server.url, cookies, bench.projectId, 10, Math.min(3, SECONDS)); // warm-up: JIT, page cache
    for (const n of LEVELS) {
      const cpuBefore = server.cpuSeconds();
      const result: LoopResult = await annotatorLoop(server.url, cookies, bench.projectId, n, SECONDS);
      const cpuMs = ((server.cpuSeconds() - cpuBefore) * 1000) / (result.next.latencies.length + result.submit.latencies.length);
      const note = `${server.kind === "next" ? "next start" : "route handlers"}, ${result.seconds.toFixed(0)} s next→submit loops; load ${load1()}`;
      rows.push(...levelRows(n, "next", result.next, result.seconds, note), ...levelRows(n, "submit", result.submit, result.seconds, note));
      rows.push(row(`labeling over HTTP, ${n} annotator${n === 1 ? "" : "s"}`, "server CPU ms per request", cpuMs, `${note}; the server's own CPU time, less sensitive to what else runs`));
    }
    rows.push(...(await dashboardRows(server.url, researcher, cookies[0]!, bench.projectId)));
  } finally {
    await server.stop();
    removeBenchDatabase(bench);
  }
  return rows;
}
