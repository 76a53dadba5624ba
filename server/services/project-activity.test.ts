import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { judgements, tasks } from "../../db/schema";
import { median } from "../../stats/annotator-quality";
import { createRng, uniformInt } from "../../stats/random";
import { medianOfHistogram, projectActivity } from "./project-activity";
import { createCorrectionTasks, createPairTasks, createRankTasks } from "./tasks";
import { addPrompt, addUser, pairProject } from "./tasks-fixtures";

const at = (iso: string) => new Date(`${iso}Z`);

/** Writes one judgement as the services leave it (only the columns the activity reads matter). */
function judgement(db: Db, taskId: number, o: { annotatorId: number | null; at: string; seconds?: number | null; serverSeconds?: number; undone?: boolean; outcome?: "left" | "right" }) {
  const task = db.select().from(tasks).where(eq(tasks.id, taskId)).get()!;
  db.insert(judgements).values({
    taskId, annotatorId: o.annotatorId, source: o.annotatorId === null ? "import" : "human", outcome: task.kind === "pair" ? o.outcome ?? "left" : null,
    ranking: task.kind === "rank" ? task.completionIds.map((id) => [id]) : null, chosenCompletionId: task.kind === "correction" ? task.completionIds[0] : null,
    secondsOnTask: o.seconds ?? null, serverSecondsOnTask: o.serverSeconds ?? null, displayOrder: task.completionIds,
    undoneAt: o.undone ? at(o.at) : null, createdAt: at(o.at),
  }).run();
}

describe("project activity", () => {
  it("counts judgements by kind and state, human labels per hour in the window, and the median seconds per day", () => {
    const { db, projectId, taskIds } = pairProject(2);
    const rank = addPrompt(db, projectId, 3, "rank me");
    const [rankTask] = createRankTasks(db, projectId, [rank]).created;
    const fix = addPrompt(db, projectId, 2, "fix me");
    const [correctionTask] = createCorrectionTasks(db, projectId, [fix]).created;
    const elsewhere = pairProject(1);
    const [ann, bob] = [addUser(db, "ann"), addUser(db, "bob")];

    judgement(db, taskIds[0]!, { annotatorId: ann.id, at: "2026-03-10T12:10:00", seconds: 4 });
    judgement(db, taskIds[0]!, { annotatorId: bob.id, at: "2026-03-10T12:50:00", seconds: 6.5 });
    judgement(db, taskIds[1]!, { annotatorId: ann.id, at: "2026-03-10T12:20:00", seconds: null, serverSeconds: 7.5 }); // no client time: the server's
    judgement(db, taskIds[1]!, { annotatorId: bob.id, at: "2026-03-09T08:00:00", seconds: 10 });
    judgement(db, taskIds[1]!, { annotatorId: ann.id, at: "2026-03-09T09:00:00", seconds: 3, undone: true });
    judgement(db, rankTask!, { annotatorId: ann.id, at: "2026-03-09T08:30:00", seconds: 20 });
    judgement(db, rankTask!, { annotatorId: null, at: "2026-03-09T08:40:00" });
    judgement(db, correctionTask!, { annotatorId: bob.id, at: "2026-03-01T10:00:00", seconds: 100 }); // before the window
    judgement(elsewhere.db, elsewhere.taskIds[0]!, { annotatorId: null, at: "2026-03-10T12:00:00" });
    const [drexTask] = createPairTasks(db, projectId, [{ ...addPrompt(db, projectId, 2, "noisy"), synthetic: true }]).created;
    db.insert(judgements).values({ taskId: drexTask!, source: "synthetic", outcome: "left", displayOrder: [], createdAt: at("2026-03-10T12:15:00") }).run(); // a D-REX pair: no one's label

    const activity = projectActivity(db, projectId, { days: 2, now: at("2026-03-10T12:30:00").getTime() });
    expect(activity.judgements).toEqual([
      { kind: "pair", human: 4, imported: 0, undone: 1, synthetic: 1 },
      { kind: "rank", human: 1, imported: 1, undone: 0, synthetic: 0 },
      { kind: "correction", human: 1, imported: 0, undone: 0, synthetic: 0 },
    ]);
    // The window is 48 whole hours ending with the current one: 2026-03-08T13:00 to 2026-03-10T13:00.
    expect(activity.labelsPerHour).toHaveLength(48);
    expect(activity.labelsPerHour[0]!.hour).toBe(at("2026-03-08T13:00:00").getTime());
    const busy = activity.labelsPerHour.flatMap((h) => (h.labels ? [[new Date(h.hour).toISOString().slice(0, 13), h.labels]] : []));
    expect(busy).toEqual([["2026-03-09T08", 2], ["2026-03-10T12", 3]]);
    expect(activity.perDay).toEqual([
      { day: "2026-03-09", timed: 2, medianSeconds: 15 },
      { day: "2026-03-10", timed: 3, medianSeconds: 6.5 },
    ]);
  });

  it("an empty project has zero counts, an hourly series of zeros and no days", () => {
    const { db, projectId } = pairProject(1);
    const activity = projectActivity(db, projectId, { days: 1, now: Date.UTC(2026, 2, 10) });
    expect(activity.judgements.every((k) => k.human + k.imported + k.undone + k.synthetic === 0)).toBe(true);
    expect(activity.labelsPerHour.map((h) => h.labels)).toEqual(new Array(24).fill(0));
    expect(activity.perDay).toEqual([]);
  });
});

describe("median of a histogram", () => {
  it("equals the median of the values it counts (stats' median as the reference), odd and even totals", () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 200; trial++) {
      const values = Array.from({ length: 1 + uniformInt(rng, 40) }, () => uniformInt(rng, 12));
      const histogram = new Map<number, number>();
      for (const v of values) histogram.set(v, (histogram.get(v) ?? 0) + 1);
      expect(medianOfHistogram(histogram, 10)).toEqual({ timed: values.length, medianSeconds: median(values)! / 10 });
    }
    expect(medianOfHistogram(new Map())).toEqual({ timed: 0, medianSeconds: null });
  });
});
