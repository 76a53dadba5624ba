// The `trex` run (T-REX, Brown et al. 2019, "Extrapolating Beyond Suboptimal Demonstrations via
// Inverse Reinforcement Learning from Observations"): demonstrations ranked by quality become
// synthetic pairs, each better-ranked completion preferred to the worse-ranked ones of the same
// prompt. T-REX ranked the checkpoints of one training run by their place in it; here the ranking
// is either policy versions named best first (by default the project's newest version and its
// ancestors, newest best), whose completions already in the project are ranked by their policy,
// or a file of rankings (trex-file.ts). A prompt's rows are written in one transaction.
import path from "node:path";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { PolicyRow } from "../../core/policy-versions";
import { inTransaction, type Db } from "../../db/client";
import { completions, policies, prompts } from "../../db/schema";
import { parseConfig } from "../parse-config";
import type { Executor } from "../worker/run-context";
import { trexConfigSchema, type TrexConfig } from "./config";
import { readRankedDemonstrations } from "./trex-file";
import { emptySummary, recordSummary, reportPrompt, writeRankedGroups, type RankedCompletion } from "./write";

/** One prompt's ranking, read (and, for a file, its prompt and completions created) inside the prompt's transaction. */
interface PromptRanking {
  label: string;
  resolve(db: Db): { promptId: number; groups: RankedCompletion[][] };
}

const policyLabel = (p: PolicyRow) => `${p.name}@${p.version}`;

/** The policies named, best first; none named: the project's newest version and its ancestors. */
export function rankedPolicies(db: Db, projectId: number, ids: number[]): PolicyRow[] {
  const byId = (id: number) => db.select().from(policies).where(eq(policies.id, id)).get();
  if (ids.length > 0) {
    return ids.map((id) => {
      const row = byId(id);
      if (!row) throw new Error(`no policy with id ${id}`);
      return row;
    });
  }
  const chain: PolicyRow[] = [];
  let p = db.select().from(policies).where(eq(policies.projectId, projectId)).orderBy(desc(policies.id)).get();
  while (p) {
    chain.push(p);
    p = p.parentId === null ? undefined : byId(p.parentId);
  }
  return chain;
}

/** Each prompt where two or more of the ranked policies have completions (D-REX's noisy samples aside: they show noise, not the policy). */
function fromPolicies(db: Db, projectId: number, c: TrexConfig): PromptRanking[] {
  const ranked = rankedPolicies(db, projectId, c.policyIds);
  if (ranked.length < 2) throw new Error(`T-REX needs two or more policies ranked by quality (found ${ranked.map(policyLabel).join(", ") || "none"}): name policyIds best first, or give a file`);
  const place = new Map(ranked.map((p, i) => [p.id, i]));
  const rows = db.select({ id: completions.id, promptId: completions.promptId, policyId: completions.policyId, text: completions.text, params: completions.samplingParams })
    .from(completions).innerJoin(prompts, eq(prompts.id, completions.promptId))
    .where(and(eq(prompts.projectId, projectId), inArray(completions.policyId, [...place.keys()])))
    .orderBy(asc(completions.promptId), asc(completions.id)).all()
    .filter((r) => !r.params?.epsilon);
  const byPrompt = new Map<number, RankedCompletion[][]>();
  for (const r of rows) {
    const groups = byPrompt.get(r.promptId) ?? byPrompt.set(r.promptId, ranked.map(() => [])).get(r.promptId)!;
    groups[place.get(r.policyId!)!]!.push({ id: r.id, text: r.text, rank: policyLabel(ranked[place.get(r.policyId!)!]!) });
  }
  const usable = [...byPrompt.entries()].map(([promptId, groups]) => ({ promptId, groups: groups.filter((g) => g.length > 0) })).filter((p) => p.groups.length >= 2);
  if (usable.length === 0) throw new Error(`no prompt of project ${projectId} has completions of two of ${ranked.map(policyLabel).join(", ")}: sample them first (a sample run)`);
  return usable.slice(0, c.maxPrompts).map((p) => ({ label: `prompt ${p.promptId}`, resolve: () => p }));
}

/** The project's prompt with this text (the first), else a new one. */
function promptIdFor(db: Db, projectId: number, text: string): number {
  const found = db.select({ id: prompts.id }).from(prompts).where(and(eq(prompts.projectId, projectId), eq(prompts.text, text))).orderBy(asc(prompts.id)).get();
  return found?.id ?? db.insert(prompts).values({ projectId, text }).returning().get().id;
}

/** The prompt's imported completion with this text, else a new one (a rerun adds no rows). */
function importedCompletionId(db: Db, promptId: number, text: string): number {
  const found = db.select({ id: completions.id }).from(completions)
    .where(and(eq(completions.promptId, promptId), eq(completions.origin, "import"), eq(completions.text, text))).orderBy(asc(completions.id)).get();
  return found?.id ?? db.insert(completions).values({ promptId, origin: "import", text }).returning().get().id;
}

function fromFile(projectId: number, file: string, c: TrexConfig): PromptRanking[] {
  return readRankedDemonstrations(file, c.maxPrompts).map((d) => ({
    label: `${path.basename(file)} line ${d.line}`,
    resolve: (db) => {
      const promptId = promptIdFor(db, projectId, d.prompt);
      const groups = d.groups.map((g, rank) => g.map((text) => ({ id: importedCompletionId(db, promptId, text), text, rank: `rank ${rank + 1}` })));
      return { promptId, groups };
    },
  }));
}

export const trexExecutor: Executor = async (ctx) => {
  const c = parseConfig("trex", trexConfigSchema, ctx.config);
  const projectId = ctx.run.projectId;
  if (projectId === null) throw new Error("a trex run writes synthetic judgements into a project: name the project");
  const rankings = c.file ? fromFile(projectId, c.file, c) : fromPolicies(ctx.db, projectId, c);
  const summary = emptySummary();
  ctx.info({ totalSteps: rankings.length });
  ctx.progress({ step: 0, message: `${rankings.length} ranked prompts from ${c.file ?? "policies"} → synthetic pairs (${c.pairing}), better rank preferred` });
  for (const ranking of rankings) {
    ctx.throwIfCancelled();
    const written = inTransaction(ctx.db, () => {
      const { promptId, groups } = ranking.resolve(ctx.db);
      return writeRankedGroups(ctx.db, ctx.run.id, projectId, promptId, groups, c.pairing, "T-REX");
    });
    reportPrompt(ctx, summary, written, `${ranking.label}: ${written.judgements} synthetic pairs`);
  }
  recordSummary(ctx, projectId, summary, c.file ? { file: c.file } : { policyIds: rankedPolicies(ctx.db, projectId, c.policyIds).map((p) => p.id) });
};
