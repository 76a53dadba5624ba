import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ApiError, type TrpcHttpClient } from "../../sim/api-client";
import { integrityCheck, leaseNext, seedLabeling, signedIn, startServerProcess, storedJudgements, submit, type Submission } from "./faults.fixtures";
import { waitFor } from "../../db/testing";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-kill-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** In the burst; one more account presses Enter at the instant of the kill. */
const ANNOTATORS = 5;
const ACKNOWLEDGED_BEFORE_KILL = 30;

/** What the annotators sent during the burst, and what the server acknowledged (2xx) of it. */
class Burst {
  readonly sent = new Map<string, Submission & { annotator: number }>();
  readonly acknowledged = new Map<string, number>();
  /** Errors other than the connection dying: a refusal during the burst would be a bug, not the fault. */
  readonly unexpected: unknown[] = [];
  inFlight = 0;
  killed = false;

  /** One annotator's loop: lease, submit, repeat, until the server dies under it. */
  async annotate(client: TrpcHttpClient, annotator: number, projectId: number): Promise<void> {
    for (let n = 0; ; n++) {
      const taskId = await leaseNext(client, projectId).catch((e: unknown) => this.failed(e));
      if (taskId === null || taskId === undefined) return;
      if (!(await this.send(client, { taskId, idempotencyKey: `burst-${annotator}-${n}`, annotator }))) return;
    }
  }

  /** Submits and records the outcome; false when no answer came. */
  async send(client: TrpcHttpClient, submission: Submission & { annotator: number }): Promise<boolean> {
    this.sent.set(submission.idempotencyKey, submission);
    this.inFlight += 1;
    try {
      this.acknowledged.set(submission.idempotencyKey, (await submit(client, submission)).judgementId);
      return true;
    } catch (error) {
      this.failed(error);
      return false;
    } finally {
      this.inFlight -= 1;
    }
  }

  /** A request that got no answer because the server was killed is expected; anything else is recorded. */
  private failed(error: unknown): undefined {
    if (!this.killed || error instanceof ApiError) this.unexpected.push(error);
    return undefined;
  }
}

describe("the API server killed with SIGKILL in the middle of a burst of submissions", () => {
  it("keeps every acknowledged judgement exactly once and none that was never sent; a retry with the same key after restart gives exactly one", async () => {
    const file = path.join(dir, "preflab.db");
    const { db, projectId, usernames } = seedLabeling(file, { tasks: 400, annotators: ANNOTATORS + 1 });
    const server = await startServerProcess(file);
    const clients = await Promise.all(usernames.map((name) => signedIn(server.url, name)));
    // The last annotator holds a task and presses Enter at the instant the server dies: fetch sends
    // asynchronously, so that request is certainly on its way and certainly never answered.
    const late = { taskId: (await leaseNext(clients[ANNOTATORS]!, projectId))!, idempotencyKey: "late-submission", annotator: ANNOTATORS };

    const burst = new Burst();
    const loops = clients.slice(0, ANNOTATORS).map((client, a) => burst.annotate(client, a, projectId));
    // Kill only once some submissions are acknowledged AND others are on the wire: the state the
    // fault is about. Checked and killed in one synchronous step, so the count is the one at the kill.
    await waitFor(() => ({ acknowledged: burst.acknowledged.size, inFlight: burst.inFlight }), (s) => s.acknowledged >= ACKNOWLEDGED_BEFORE_KILL && s.inFlight >= 2, 60_000);
    const inFlightAtKill = burst.inFlight;
    burst.killed = true;
    const lastPress = burst.send(clients[ANNOTATORS]!, late);
    server.child.kill("SIGKILL");
    await Promise.all([...loops, lastPress]);
    await server.stop();
    expect(burst.unexpected).toEqual([]);
    expect(burst.acknowledged.has(late.idempotencyKey)).toBe(false);

    // A request can commit and then lose its response with the process: "acknowledged" is a lower
    // bound of what is stored, "sent" an upper one. So: every acknowledged judgement is stored once
    // under the id the server returned, nothing is stored that no one sent, and every task's count
    // matches its judgements (no transaction was half applied).
    const restarted = await startServerProcess(file, { port: server.port }); // same URL: the clients keep their sessions
    const afterCrash = storedJudgements(db);
    expect(afterCrash.rows.length).toBe(afterCrash.byKey.size);
    for (const key of afterCrash.byKey.keys()) expect(burst.sent.has(key), `stored judgement ${key} was never sent`).toBe(true);
    for (const [key, judgementId] of burst.acknowledged) expect(afterCrash.byKey.get(key), `acknowledged ${key}`).toBe(judgementId);
    expect(afterCrash.counted).toBe(afterCrash.rows.length);
    expect(integrityCheck(db)).toBe("ok");

    // What the annotators' browsers do next: resend each unanswered submission with its key. One
    // that had committed is answered with the stored judgement (replayed), one that had not is
    // stored now; either way each sent submission ends up stored exactly once.
    const unacknowledged = [...burst.sent.values()].filter((s) => !burst.acknowledged.has(s.idempotencyKey));
    for (const s of unacknowledged) {
      const answer = await submit(clients[s.annotator]!, s);
      expect(answer.replayed, `retry of ${s.idempotencyKey}`).toBe(afterCrash.byKey.has(s.idempotencyKey));
    }
    await restarted.stop();

    const final = storedJudgements(db);
    expect(final.rows.length).toBe(burst.sent.size);
    expect(new Set(final.byKey.keys())).toEqual(new Set(burst.sent.keys()));
    expect(final.counted).toBe(final.rows.length);
    expect(integrityCheck(db)).toBe("ok");
    console.info(
      `server kill: ${burst.sent.size} sent, ${burst.acknowledged.size} acknowledged, ${inFlightAtKill} of the burst's submissions in flight at the kill (+1 late), ` +
        `${afterCrash.rows.length - burst.acknowledged.size} committed without an answer, ${unacknowledged.length} resent`,
    );
    db.$client.close();
  });
});
