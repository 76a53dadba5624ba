import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { expect } from "vitest";
import { eq } from "drizzle-orm";
import { openDatabase, type Db } from "../../db/client";
import { users } from "../../db/schema";
import { ApiError, TrpcHttpClient } from "../../sim/api-client";
import { hashPassword } from "../services/auth";
import { ensureProject } from "../services/projects";
import { createPairTasks } from "../services/tasks";
import { addPrompt, addUser, setSettings } from "../services/tasks-fixtures";

/**
 * Support for the fault tests: the API server as a real process (server/faults/api-server-process.ts)
 * that a test can kill, restart or run as another user, annotators signed in over HTTP, and the
 * checks every fault must leave true (integrity, acknowledged judgements intact).
 */

const ENTRY = path.resolve("server/faults/api-server-process.ts");
export const PASSWORD = "fault-test-password";

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Sends a line to the server's stdin and resolves with the first stdout line starting with `reply`. */
  command(line: string, reply: string): Promise<string>;
  /** Sends `signal` and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServerOptions {
  /** Extra environment (PREFLAB_DB_BUSY_MS, ...). */
  env?: Record<string, string>;
  /**
   * Bound by file permissions even when run as root: root (CI's user) bypasses them through
   * CAP_DAC_OVERRIDE, so the server then starts without that capability (util-linux's setpriv),
   * still owning the files, the way a service account meets a file it may only read.
   */
  respectPermissions?: boolean;
  /** Listen here (default: any free port); a restart on the previous port keeps clients working. */
  port?: number;
}

/** Starts the API server process on `dbFile`; resolves when it listens (its stderr is in the error if it dies first). */
export async function startServerProcess(dbFile: string, options: ServerOptions = {}): Promise<ServerProcess> {
  // node itself with tsx's loader, not the tsx CLI: that CLI runs the script in a child of its own,
  // so a SIGKILL would hit the CLI and leave the server running.
  const command = [process.execPath, "--import", "tsx", ENTRY, String(options.port ?? 0)];
  const withoutOverride = options.respectPermissions && process.getuid?.() === 0 ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] : [];
  const [program, ...args] = [...withoutOverride, ...command];
  const child = spawn(program!, args, { env: { ...process.env, PREFLAB_DB: dbFile, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const lines = readline.createInterface({ input: child.stdout! });
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => line.startsWith("listening ") && resolve(line.slice("listening ".length)));
    void gone.then(() => reject(new Error(`the API server exited before listening (code ${child.exitCode}): ${stderr}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    command: (line, reply) =>
      new Promise((resolve) => {
        const onLine = (out: string) => {
          if (!out.startsWith(reply)) return;
          lines.off("line", onLine);
          resolve(out);
        };
        lines.on("line", onLine);
        child.stdin!.write(`${line}\n`);
      }),
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await gone;
    },
  };
}

/**
 * A project of `tasks` pair tasks and `annotators` accounts with a password, in the database at
 * `file`: written in one transaction and checkpointed, so the write-ahead log starts empty and
 * every later write needs new space (what the full-disk test relies on).
 */
export function seedLabeling(file: string, o: { tasks: number; annotators: number; judgementsPerTask?: number; maxActiveLeases?: number }) {
  const db = openDatabase(file);
  const seeded = db.$client.transaction(() => {
    const project = ensureProject(db, "faults", null);
    setSettings(db, project.id, { goldRate: 0, judgementsPerTask: o.judgementsPerTask ?? 1, maxActiveLeases: o.maxActiveLeases ?? 3 });
    for (let i = 0; i < o.tasks; i++) {
      const { promptId, completionIds } = addPrompt(db, project.id, 2, `fault prompt ${i}`);
      createPairTasks(db, project.id, [{ promptId, completionIds }]);
    }
    // One scrypt hash for every account (same password, so the same stored hash verifies for each):
    // hashing is the slow part of seeding on a busy machine, and signing in still verifies it.
    const passwordHash = hashPassword(PASSWORD);
    const usernames = Array.from({ length: o.annotators }, (_, i) => {
      const user = addUser(db, `annotator${i}`);
      db.update(users).set({ passwordHash }).where(eq(users.id, user.id)).run();
      return user.username;
    });
    return { projectId: project.id, usernames };
  })();
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  return { db, ...seeded };
}

export async function signedIn(url: string, username: string): Promise<TrpcHttpClient> {
  const client = new TrpcHttpClient(url);
  await client.signIn(username, PASSWORD);
  return client;
}

export interface Submission {
  taskId: number;
  idempotencyKey: string;
}

/** Leases the annotator's next task (`another`: one more beside those held); null when none is left. */
export async function leaseNext(client: TrpcHttpClient, projectId: number, another = false): Promise<number | null> {
  const { task } = await client.mutation<{ task: { taskId: number } | null }>("labeling.next", { projectId, another });
  return task?.taskId ?? null;
}

/** Submits "left is slightly better" for a leased task; resolves with the server's answer. */
export function submit(client: TrpcHttpClient, s: Submission) {
  return client.mutation<{ judgementId: number; replayed: boolean }>("labeling.submit", {
    taskId: s.taskId,
    idempotencyKey: s.idempotencyKey,
    answer: { kind: "pair", outcome: "left", strength: 1 },
    clientSeconds: 1,
  });
}

/** The status and message a call was refused with, as the user's screen gets them (a call that succeeds fails the test). */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "the call succeeded").toBeInstanceOf(ApiError);
  const { procedure, status, message } = error as ApiError;
  return { status, message: message.slice(`${procedure}: HTTP ${status}: `.length) };
}

/** SQLite's own check of every page, index and constraint: "ok" or the list of problems. */
export function integrityCheck(db: Db): string {
  return String(db.$client.pragma("integrity_check", { simple: true }));
}

/** (idempotency key → judgement id) of every judgement stored, and how many judgements each task counted. */
export function storedJudgements(db: Db) {
  const rows = db.$client.prepare("select id, idempotency_key as key from judgements").all() as Array<{ id: number; key: string }>;
  const counted = db.$client.prepare("select coalesce(sum(judgement_count), 0) as n from tasks").get() as { n: number };
  return { rows, byKey: new Map(rows.map((r) => [r.key, r.id])), counted: counted.n };
}
