import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { judgements } from "../../db/schema";
import { createCaller } from "../root";
import { createTasks } from "../services/tasks";
import { addPrompt, addUser, labelingDb } from "../services/tasks-fixtures";
import { createInnerContext } from "../trpc";

function setup() {
  const fx = labelingDb({ judgementsPerTask: 1 });
  for (let i = 0; i < 2; i++) {
    const p = addPrompt(fx.db, fx.projectId, 2, `prompt ${i}`);
    createTasks(fx.db, fx.projectId, "pair", [{ promptId: p.promptId, completionIds: p.completionIds }]);
  }
  const annotator = addUser(fx.db, "ann");
  const caller = createCaller(createInnerContext({ db: fx.db, user: annotator }));
  return { ...fx, annotator, caller };
}

async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe("labeling router", () => {
  it("walks an annotator through next, submit, undo and progress", async () => {
    const { caller, projectId, db } = setup();
    const next = await caller.labeling.next({ projectId });
    expect(next.task!.completions).toHaveLength(2);
    const result = await caller.labeling.submit({ taskId: next.task!.taskId, idempotencyKey: "abcdefgh-1", answer: { kind: "pair", outcome: "both_bad" }, clientSeconds: 0 });
    expect(result).toMatchObject({ taskComplete: true, replayed: false });
    expect(await caller.labeling.myProgress({ projectId })).toMatchObject({ doneToday: 1, doneTotal: 1, tasksRemaining: 1 });
    const undone = await caller.labeling.undo({ projectId });
    expect(undone.task.taskId).toBe(next.task!.taskId);
    expect((await caller.labeling.next({ projectId })).task!.taskId).toBe(next.task!.taskId);
    expect(db.select().from(judgements).get()!.undoneAt).not.toBeNull();
  });

  it("rejects invalid input with BAD_REQUEST and a readable message", async () => {
    const { caller, projectId } = setup();
    const { task } = await caller.labeling.next({ projectId });
    const badStrength = await trpcError(
      caller.labeling.submit({ taskId: task!.taskId, idempotencyKey: "abcdefgh-2", answer: { kind: "pair", outcome: "left", strength: 7 } }),
    );
    expect(badStrength.code).toBe("BAD_REQUEST");
    expect(badStrength.message).toMatch(/Strength is 1, 2 or 3/);
    const missingStrength = await trpcError(caller.labeling.submit({ taskId: task!.taskId, idempotencyKey: "abcdefgh-3", answer: { kind: "pair", outcome: "left" } }));
    expect(missingStrength).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/how much better/) });
    const emptySkip = await trpcError(caller.labeling.skip({ taskId: task!.taskId, reason: "   " }));
    expect(emptySkip).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/Say why you skip/) });
    expect(await trpcError(caller.labeling.next({ projectId: 999 }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("submit rejects a task already judged by this annotator with CONFLICT", async () => {
    const { caller, projectId } = setup();
    const { task } = await caller.labeling.next({ projectId });
    await caller.labeling.submit({ taskId: task!.taskId, idempotencyKey: "abcdefgh-4", answer: { kind: "pair", outcome: "tie" } });
    const again = await trpcError(caller.labeling.submit({ taskId: task!.taskId, idempotencyKey: "abcdefgh-5", answer: { kind: "pair", outcome: "tie" } }));
    expect(again).toMatchObject({ code: "CONFLICT", message: "You have already judged this task." });
  });

  it("lets an annotator act only on their own leases", async () => {
    const { caller, projectId, db } = setup();
    const { task } = await caller.labeling.next({ projectId });
    const other = createCaller(createInnerContext({ db, user: addUser(db, "eve") }));
    const error = await trpcError(other.labeling.submit({ taskId: task!.taskId, idempotencyKey: "abcdefgh-6", answer: { kind: "pair", outcome: "tie" } }));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect((await trpcError(other.labeling.skip({ taskId: task!.taskId, reason: "x" }))).code).toBe("PRECONDITION_FAILED");
  });

  it("refuses researcher procedures to an annotator and everything to a stranger", async () => {
    const { caller, projectId, db } = setup();
    for (const call of [caller.quality.projectAgreement({ projectId }), caller.quality.annotators({ projectId }), caller.quality.projectProgress({ projectId })])
      expect((await trpcError(call)).code).toBe("FORBIDDEN");
    const stranger = createCaller(createInnerContext({ db, user: null }));
    expect((await trpcError(stranger.labeling.next({ projectId }))).code).toBe("UNAUTHORIZED");
  });
});
