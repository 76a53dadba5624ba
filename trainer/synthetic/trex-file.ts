// T-REX demonstrations from a file the person at the terminal names: JSONL (gzipped or not), one
// prompt per line with its completions ranked by quality: {"prompt", "completions": [...],
// "ranks": [1, 2, 2]} where a lower rank is better and equal ranks tie. These are the rows the
// `ranked` export writes (its provenance is ignored), so a ranked dataset goes out and comes back
// in the same shape; without "ranks" the completions are best first. The whole file is checked
// before anything is written, and every bad line is named.
import fs from "node:fs";
import zlib from "node:zlib";
import { z } from "zod";

const rankedLine = z.object({
  prompt: z.string(),
  completions: z.array(z.string()).min(2).max(1000),
  ranks: z.array(z.number()).optional(),
}).refine((l) => !l.ranks || l.ranks.length === l.completions.length, { message: "ranks needs one rank per completion", path: ["ranks"] });

/** One line's prompt and its completion texts in groups, best first. */
export interface RankedDemonstration {
  line: number;
  prompt: string;
  groups: string[][];
}

function groupsOf(completions: string[], ranks: number[] | undefined): string[][] {
  if (!ranks) return completions.map((c) => [c]);
  const byRank = new Map<number, string[]>();
  completions.forEach((c, i) => byRank.set(ranks[i]!, [...(byRank.get(ranks[i]!) ?? []), c]));
  return [...byRank.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

function parseLine(text: string): { value?: z.infer<typeof rankedLine>; problem?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `invalid JSON (${(error as Error).message})` };
  }
  const parsed = rankedLine.safeParse(json);
  return parsed.success ? { value: parsed.data } : { problem: parsed.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`).join("; ") };
}

/** The file's first `maxLines` rankings; throws naming every bad line (up to 20) when any is bad. */
export function readRankedDemonstrations(file: string, maxLines: number): RankedDemonstration[] {
  if (!fs.existsSync(file)) throw new Error(`no such T-REX file: ${file}`);
  const raw = fs.readFileSync(file);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw).toString("utf8");
  const out: RankedDemonstration[] = [];
  const problems: string[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "" || out.length + problems.length >= maxLines) continue;
    const { value, problem } = parseLine(line);
    if (value) out.push({ line: i + 1, prompt: value.prompt, groups: groupsOf(value.completions, value.ranks) });
    else problems.push(`line ${i + 1}: ${problem}`);
  }
  if (problems.length) throw new Error(`${file}: ${problems.length} bad lines, nothing written; ${problems.slice(0, 20).join("; ")}`);
  return out;
}
