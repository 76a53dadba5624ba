import { beforeAll, describe, expect, it } from "vitest";
import { writeTempFile } from "../../db/testing";
import { importFile } from "../../server/services/import/run-import";
import { labelingDb } from "../../server/services/tasks-fixtures";
import { describePolicyData, loadKtoExamples, loadPreferencePairs, loadRankings, loadSftExamples, type PolicyDataOptions } from "./data";
import { answerText as t, judgedProject } from "./data.fixtures";

const EDIT = "a better answer to c1";

/** Every kind of answer once, a wrong answer to a gold item, and imported demonstrations. */
async function project() {
  const fx = judgedProject();
  fx.judge("pair", "p1", 2, ([, a1]) => ({ winner: a1!, strength: 2 }));
  fx.judge("pair", "p2", 2, () => ({ outcome: "tie" }));
  fx.judge("pair", "p3", 2, () => ({ outcome: "both_bad" }));
  fx.judge("rank", "r1", 3, ([c0, c1, c2]) => ({ ranking: [[c2!], [c0!], [c1!]] }));
  fx.judge("rank", "r2", 3, ([d0, d1, d2]) => ({ ranking: [[d0!, d1!], [d2!]] }));
  fx.judge("correction", "c1", 2, ([e0]) => ({ chosen: e0!, text: EDIT }));
  fx.judge("correction", "c2", 2, ([, f1]) => ({ chosen: f1!, text: t("c2", 1) })); // left unchanged
  fx.judge("pair", "g", 2, ([, g1]) => ({ winner: g1!, strength: 3 }), ([g0]) => ({ winner: g0! }));
  const rows = [
    { prompt: "demo", completions: ["a demonstration"] },
    { prompt: "p1", completions: [t("p1", 1)] }, // the same text as p1's winner
    { prompt: "two", completions: ["x", "y"] }, // two completions make a pair task: not a demonstration
  ];
  const report = await importFile(fx.db, writeTempFile("demos.jsonl", rows.map((r) => JSON.stringify(r)).join("\n")), { projectName: "labeling-test", format: "completions" });
  expect(report).toMatchObject({ ok: true, projectId: fx.projectId });
  return fx;
}

let fx: Awaited<ReturnType<typeof project>>;
beforeAll(async () => {
  fx = await project();
});
const noGold: PolicyDataOptions = { includeGold: false, marginByStrength: [0.5, 1, 2] };
const withGold: PolicyDataOptions = { ...noGold, includeGold: true };

describe("loadPreferencePairs", () => {
  it("keeps strict preferences only, with the derivation's weights and the strength's margin", () => {
    const pairs = loadPreferencePairs(fx.db, fx.projectId, noGold).map((p) => [p.prompt, p.chosen, p.rejected, p.weight, p.margin, p.derivation]);
    expect(pairs).toEqual([
      ["p1", t("p1", 1), t("p1", 0), 1, 1, "pair"],
      ["r1", t("r1", 2), t("r1", 0), 1 / 3, 0, "rank"],
      ["r1", t("r1", 2), t("r1", 1), 1 / 3, 0, "rank"],
      ["r1", t("r1", 0), t("r1", 1), 1 / 3, 0, "rank"],
      ["r2", t("r2", 0), t("r2", 2), 1 / 3, 0, "rank"],
      ["r2", t("r2", 1), t("r2", 2), 1 / 3, 0, "rank"],
      ["c1", EDIT, t("c1", 0), 1, 0, "correction-edit"],
      ["c1", t("c1", 0), t("c1", 1), 1, 0, "correction-choice"],
      ["c2", t("c2", 1), t("c2", 0), 1, 0, "correction-choice"],
    ]);
  });

  it("adds a gold item's judgement as answered only when asked, and no margin without marginByStrength", () => {
    const pairs = loadPreferencePairs(fx.db, fx.projectId, { includeGold: true });
    expect(pairs).toHaveLength(10);
    expect(pairs.at(-1)).toMatchObject({ prompt: "g", chosen: t("g", 1), rejected: t("g", 0), margin: 0 });
    expect(pairs.every((p) => p.margin === 0)).toBe(true);
  });
});

describe("loadRankings", () => {
  it("takes strict rankings and pair winners as rankings of 2, and counts rankings skipped for ties", () => {
    const { lists, skippedWithTies } = loadRankings(fx.db, fx.projectId, noGold);
    expect(lists.map((l) => [l.prompt, l.ranked])).toEqual([
      ["p1", [t("p1", 1), t("p1", 0)]],
      ["r1", [t("r1", 2), t("r1", 0), t("r1", 1)]],
    ]);
    expect(skippedWithTies).toBe(1);
    expect(loadRankings(fx.db, fx.projectId, withGold).lists.at(-1)!.ranked).toEqual([t("g", 1), t("g", 0)]);
  });

  it("gives the pairwise data for lists of two: listwise with N = 2 is pairwise DPO", () => {
    const pairwise = loadPreferencePairs(fx.db, fx.projectId, noGold).filter((p) => p.derivation === "pair");
    const twos = loadRankings(fx.db, fx.projectId, noGold).lists.filter((l) => l.ranked.length === 2);
    expect(twos.map((l) => [l.judgementId, l.prompt, ...l.ranked])).toEqual(pairwise.map((p) => [p.judgementId, p.prompt, p.chosen, p.rejected]));
  });
});

describe("loadKtoExamples", () => {
  const labelled = (o: PolicyDataOptions) => loadKtoExamples(fx.db, fx.projectId, o).map((e) => `${e.completion} ${e.desirable ? "+" : "-"}`).sort();
  const expected = [
    `${t("p1", 1)} +`, `${t("p1", 0)} -`,
    `${t("p3", 0)} -`, `${t("p3", 1)} -`,
    `${t("r1", 2)} +`, `${t("r1", 1)} -`,
    `${t("r2", 0)} +`, `${t("r2", 1)} +`, `${t("r2", 2)} -`,
    `${EDIT} +`, `${t("c1", 0)} -`, `${t("c1", 1)} -`,
    `${t("c2", 1)} +`, `${t("c2", 0)} -`,
  ];

  it("labels every judgement as the kto export does; ties carry no label", () => {
    expect(labelled(noGold)).toEqual([...expected].sort());
  });

  it("labels a gold item by its known answer, not by the annotator's wrong one", () => {
    expect(labelled(withGold)).toEqual([...expected, `${t("g", 0)} +`, `${t("g", 1)} -`].sort());
  });
});

describe("loadSftExamples", () => {
  const all = { sources: ["corrections", "chosen", "demonstrations"] as const };
  const rows = (o: PolicyDataOptions & { sources: readonly ("corrections" | "chosen" | "demonstrations")[] }) =>
    loadSftExamples(fx.db, fx.projectId, { ...o, sources: [...o.sources] }).map((e) => [e.source, e.prompt, e.completion, e.judgementId === null]);

  it("takes edited texts, chosen answers and demonstrations, each (prompt, completion) once", () => {
    expect(rows({ ...noGold, ...all })).toEqual([
      ["corrections", "c1", EDIT, false],
      ["chosen", "p1", t("p1", 1), false],
      ["chosen", "r1", t("r1", 2), false],
      ["chosen", "r2", t("r2", 0), false],
      ["chosen", "r2", t("r2", 1), false],
      ["chosen", "c1", t("c1", 0), false],
      ["chosen", "c2", t("c2", 1), false],
      ["demonstrations", "demo", "a demonstration", true],
    ]);
  });

  it("counts only imported completions outside any task as demonstrations", () => {
    expect(rows({ ...noGold, sources: ["demonstrations"] })).toEqual([
      ["demonstrations", "demo", "a demonstration", true],
      ["demonstrations", "p1", t("p1", 1), true],
    ]);
  });

  it("takes a gold item's known best answer as its chosen one", () => {
    expect(rows({ ...withGold, sources: ["chosen"] }).at(-1)).toEqual(["chosen", "g", t("g", 0), false]);
  });
});

describe("an empty project and the summary", () => {
  it("gives empty data, not an error, and says so", () => {
    const { db, projectId } = labelingDb();
    const data = {
      pairs: loadPreferencePairs(db, projectId, noGold),
      rankings: loadRankings(db, projectId, noGold),
      kto: loadKtoExamples(db, projectId, noGold),
      sft: loadSftExamples(db, projectId, { ...noGold, sources: ["corrections", "chosen", "demonstrations"] }),
    };
    expect(describePolicyData(data)).toBe("0 preference pairs over 0 prompts; 0 rankings over 0 prompts, 0 skipped with tied groups; 0 KTO examples; 0 SFT examples");
  });

  it("counts what each loader found", () => {
    const data = {
      pairs: loadPreferencePairs(fx.db, fx.projectId, noGold),
      rankings: loadRankings(fx.db, fx.projectId, noGold),
      kto: loadKtoExamples(fx.db, fx.projectId, noGold),
      sft: loadSftExamples(fx.db, fx.projectId, { ...noGold, sources: ["corrections", "chosen", "demonstrations"] }),
    };
    expect(describePolicyData(data)).toBe(
      "9 preference pairs over 5 prompts (1 pair, 5 rank, 1 correction-edit, 2 correction-choice); " +
        "2 rankings over 2 prompts, 1 skipped with tied groups; 14 KTO examples (6 desirable, 8 undesirable); " +
        "8 SFT examples (1 corrections, 6 chosen, 1 demonstrations)",
    );
  });
});
