import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { tasks } from "../../db/schema";
import { ServiceError } from "./errors";
import { allPairs, createCorrectionTasks, createPairTasks, createRankTasks } from "./tasks";
import { addPrompt, labelingDb } from "./tasks-fixtures";

describe("task creation", () => {
  it("creates pair tasks with the project's overlap and a canonical unordered key", () => {
    const { db, projectId } = labelingDb({ judgementsPerTask: 4 });
    const { promptId, completionIds: [a, b] } = addPrompt(db, projectId, 2);
    const { created } = createPairTasks(db, projectId, [{ promptId, completionIds: [b!, a!] }]);
    const task = db.select().from(tasks).where(eq(tasks.id, created[0]!)).get()!;
    expect(task).toMatchObject({ kind: "pair", completionIds: [b, a], completionSetKey: `${a},${b}`, requiredJudgements: 4, status: "open", isGold: false });
  });

  it("refuses a second task over the same unordered set of a prompt, in any order, batch or kind", () => {
    const { db, projectId } = labelingDb();
    const { promptId, completionIds: [a, b, c] } = addPrompt(db, projectId, 3);
    const first = createPairTasks(db, projectId, [
      { promptId, completionIds: [a!, b!] },
      { promptId, completionIds: [b!, a!] },
    ]);
    expect(first.created).toHaveLength(1);
    expect(first.duplicates).toEqual([{ promptId, completionIds: [b, a] }]);
    expect(createCorrectionTasks(db, projectId, [{ promptId, completionIds: [b!, a!] }]).created).toEqual([]);
    expect(createPairTasks(db, projectId, [{ promptId, completionIds: [a!, c!] }]).created).toHaveLength(1);
    expect(db.select().from(tasks).all()).toHaveLength(2);
  });

  it("makes a pair task for every unordered pair of a prompt's completions", () => {
    expect(allPairs([1, 2, 3, 4])).toEqual([[1, 2], [1, 3], [1, 4], [2, 3], [2, 4], [3, 4]]);
    const { db, projectId } = labelingDb();
    const { promptId, completionIds } = addPrompt(db, projectId, 4);
    const specs = allPairs(completionIds).map((pair) => ({ promptId, completionIds: pair }));
    expect(createPairTasks(db, projectId, specs).created).toHaveLength(6);
  });

  it("rejects completions of another prompt, wrong sizes and repeated ids, creating nothing", () => {
    const { db, projectId } = labelingDb();
    const one = addPrompt(db, projectId, 3);
    const other = addPrompt(db, projectId, 2);
    const attempt = (fn: () => unknown) => expect(fn).toThrow(ServiceError);
    attempt(() => createPairTasks(db, projectId, [{ promptId: one.promptId, completionIds: [one.completionIds[0]!, other.completionIds[0]!] }]));
    attempt(() => createPairTasks(db, projectId, [{ promptId: one.promptId, completionIds: one.completionIds }]));
    attempt(() => createRankTasks(db, projectId, [{ promptId: other.promptId, completionIds: other.completionIds }]));
    attempt(() => createRankTasks(db, projectId, [{ promptId: one.promptId, completionIds: [1, 1, 2] }]));
    expect(() =>
      createPairTasks(db, projectId, [
        { promptId: other.promptId, completionIds: other.completionIds },
        { promptId: one.promptId, completionIds: [one.completionIds[0]!, other.completionIds[1]!] },
      ]),
    ).toThrow(/not all completions of prompt/);
    expect(db.select().from(tasks).all()).toEqual([]);
  });

  it("stores gold tasks with their answer and rejects answers that are not among the completions", () => {
    const { db, projectId } = labelingDb();
    const { promptId, completionIds: [a, b, c] } = addPrompt(db, projectId, 3);
    const { created } = createPairTasks(db, projectId, [{ promptId, completionIds: [a!, b!], goldAnswer: { winner: b! } }]);
    expect(db.select().from(tasks).where(eq(tasks.id, created[0]!)).get()).toMatchObject({ isGold: true, goldAnswer: { winner: b } });
    expect(() => createPairTasks(db, projectId, [{ promptId, completionIds: [a!, c!], goldAnswer: { winner: b! } }])).toThrow(/winner among/);
    expect(() => createRankTasks(db, projectId, [{ promptId, completionIds: [a!, b!, c!], goldAnswer: { ranking: [[a!], [b!]] } }])).toThrow(
      /Gold ranking: Rank all 3/,
    );
    const rank = createRankTasks(db, projectId, [{ promptId, completionIds: [a!, b!, c!], goldAnswer: { ranking: [[c!], [a!, b!]] } }]);
    expect(rank.created).toHaveLength(1);
  });
});
