/**
 * One line saying what a policy run learns from, for the run log and for the executor's "no
 * usable data" error. Part of trainer/dpo/data.ts (re-exported there).
 */
import type { KtoExample, PreferencePair, RankedList } from "./data";
import type { SftExample } from "./data-sft";

/** Whichever of the loaders' results a run read; absent parts are not mentioned. */
export interface PolicyDataSummary {
  pairs?: readonly PreferencePair[];
  rankings?: { lists: readonly RankedList[]; skippedWithTies: number };
  kto?: readonly KtoExample[];
  sft?: readonly SftExample[];
}

/** "3 a, 1 b" from the values' counts, in first-seen order; "" when empty. */
function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${n} ${v}`).join(", ");
}

const prompts = (items: ReadonlyArray<{ prompt: string }>) => new Set(items.map((i) => i.prompt)).size;
const detail = (text: string) => (text ? ` (${text})` : "");

/** e.g. "120 preference pairs over 40 prompts (100 pair, 20 rank); 7 rankings, 2 skipped with tied groups". */
export function describePolicyData(data: PolicyDataSummary): string {
  const parts: string[] = [];
  if (data.pairs)
    parts.push(`${data.pairs.length} preference pairs over ${prompts(data.pairs)} prompts${detail(tally(data.pairs.map((p) => p.derivation)))}`);
  if (data.rankings) {
    const { lists, skippedWithTies } = data.rankings;
    parts.push(`${lists.length} rankings over ${prompts(lists)} prompts, ${skippedWithTies} skipped with tied groups`);
  }
  if (data.kto) parts.push(`${data.kto.length} KTO examples${detail(tally(data.kto.map((e) => (e.desirable ? "desirable" : "undesirable"))))}`);
  if (data.sft) parts.push(`${data.sft.length} SFT examples${detail(tally(data.sft.map((e) => e.source)))}`);
  return parts.join("; ");
}
