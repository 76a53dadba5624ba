import { describe, expect, it } from "vitest";
import { createTestDb } from "../../db/testing";
import { DEMO_SAMPLING, planDemo, promptsNeedingSamples, seedDemo } from "./demo-seed";

describe("the demo seed", () => {
  it("creates 60 pair, 15 rank and 15 correction tasks over real snippets, once", () => {
    const { db } = createTestDb();
    expect(seedDemo(db)).toEqual({ created: true, tasks: 90 });
    expect(seedDemo(db)).toEqual({ created: false, tasks: 0 });
    const kinds = db.$client.prepare("select kind, count(*) n from tasks group by kind order by kind").all();
    expect(kinds).toEqual([{ kind: "correction", n: 15 }, { kind: "pair", n: 60 }, { kind: "rank", n: 15 }]);
    // Without a built-in policy no task shows the same text twice.
    const dupes = db.$client.prepare("select count(*) n from (select prompt_id, text from completions group by prompt_id, text having count(*) > 1)").get();
    expect(dupes).toEqual({ n: 0 });
  });

  it("is the same plan on every machine", () => {
    expect(planDemo()).toEqual(planDemo());
  });

  it("records the built-in policy and its sampling parameters on the continuations it wrote", () => {
    const { db } = createTestDb();
    const plan = planDemo();
    const byOpening = new Map(promptsNeedingSamples(plan).map(({ opening, n }) => [opening, Array.from({ length: n }, (_, i) => ` sample ${i} of ${opening}`)]));
    seedDemo(db, plan, { policy: { name: "builtin", path: "models/builtin" }, byOpening });
    const rows = db.$client
      .prepare("select p.kind, count(*) n, min(c.sampling_params) params from completions c join policies p on p.id = c.policy_id group by p.kind order by p.kind")
      .all() as Array<{ kind: string; n: number; params: string | null }>;
    expect(rows.map((r) => [r.kind, r.n])).toEqual([["builtin", 40 + 30 + 15], ["imported", 40 + 40 + 30 + 15]]);
    expect(JSON.parse(rows[0]!.params!)).toEqual(DEMO_SAMPLING);
  });
});
