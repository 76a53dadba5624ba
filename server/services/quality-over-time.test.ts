import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { judgements, tasks } from "../../db/schema";
import { projectAgreement } from "./quality";
import { agreementOverTime } from "./quality-over-time";
import { addUser, pairProject } from "./tasks-fixtures";

/** A pair judgement in canonical terms: "A" = the task's first completion won. */
function answer(db: Db, taskId: number, annotatorId: number, label: "A" | "B", iso: string) {
  const task = db.select().from(tasks).where(eq(tasks.id, taskId)).get()!;
  db.insert(judgements).values({
    taskId, annotatorId, source: "human", outcome: label === "A" ? "left" : "right", strength: 1, displayOrder: task.completionIds, createdAt: new Date(`${iso}Z`),
  }).run();
}

describe("agreement over time", () => {
  it("gives each day the Fleiss kappa of the tasks finished that day (hand-computed)", () => {
    const { db, projectId, taskIds } = pairProject(6);
    const [ann, bob] = [addUser(db, "ann"), addUser(db, "bob")];
    const [t1, t2, t3, t4, t5, t6] = taskIds as [number, number, number, number, number, number];
    // Day 1: both agree on both tasks, one of each category: P-bar 1, P_e 0.5, kappa 1.
    answer(db, t1, ann.id, "A", "2026-03-09T08:00:00");
    answer(db, t1, bob.id, "A", "2026-03-09T09:00:00");
    answer(db, t2, ann.id, "B", "2026-03-09T08:00:00");
    answer(db, t2, bob.id, "B", "2026-03-09T10:00:00");
    // Day 2 (t3 started on day 1, finished on day 2): {A, B} and {A, A}: P-bar 0.5, p = (3/4, 1/4), P_e 10/16, kappa -1/3.
    answer(db, t3, ann.id, "A", "2026-03-09T23:00:00");
    answer(db, t3, bob.id, "B", "2026-03-10T01:00:00");
    answer(db, t4, ann.id, "A", "2026-03-10T08:00:00");
    answer(db, t4, bob.id, "A", "2026-03-10T08:00:00");
    answer(db, t5, ann.id, "B", "2026-03-10T08:00:00"); // one answer: no agreement to measure
    answer(db, t6, ann.id, "A", "2026-03-01T08:00:00"); // finished before the window
    answer(db, t6, bob.id, "B", "2026-03-01T08:00:00");

    const days = agreementOverTime(db, projectId, { days: 3, now: Date.UTC(2026, 2, 10, 12) });
    expect(days.map((d) => d.day)).toEqual(["2026-03-08", "2026-03-09", "2026-03-10"]);
    expect(days[0]).toEqual({ day: "2026-03-08", tasks: 0, fleissKappa: null, observedAgreement: null });
    expect(days[1]).toMatchObject({ tasks: 2, observedAgreement: 1 });
    expect(days[1]!.fleissKappa).toBeCloseTo(1, 12);
    expect(days[2]).toMatchObject({ tasks: 2, observedAgreement: 0.5 });
    expect(days[2]!.fleissKappa).toBeCloseTo(-1 / 3, 12);
  });

  it("a project finished in one day has that day's kappa equal to the project's Fleiss kappa", () => {
    const { db, projectId, taskIds } = pairProject(5);
    const raters = [addUser(db, "a"), addUser(db, "b"), addUser(db, "c")];
    const script = ["AAB", "BBB", "ABA", "AAA", "BAB"];
    taskIds.forEach((taskId, t) => raters.forEach((r, i) => answer(db, taskId, r.id, script[t]![i] as "A" | "B", `2026-03-10T0${i}:00:00`)));
    const [day] = agreementOverTime(db, projectId, { days: 1, now: Date.UTC(2026, 2, 10, 23) });
    const overall = projectAgreement(db, projectId).fleiss!;
    expect(day).toMatchObject({ tasks: 5, observedAgreement: overall.observedAgreement });
    expect(day!.fleissKappa).toBeCloseTo(overall.kappa!, 12);
  });
});
