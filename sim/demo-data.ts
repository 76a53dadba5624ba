// The demo's prompts: openings (the first 2–4 words) of real movie-review snippets shipped in
// data/movie-reviews/, distinct, shuffled by seed, split into held-out evaluation prompts (never
// labeled or trained on) and the prompts each round samples and labels.
import { createRng, seedFromString, shuffle } from "../stats/random";
import { loadRatedSnippets } from "../stats/sentiment-scorer";

export interface DemoPrompts {
  heldOut: string[];
  /** One slice per round. */
  rounds: string[][];
}

export function reviewOpenings(): string[] {
  const seen = new Set<string>();
  for (const { text } of loadRatedSnippets()) {
    const words = text.trim().split(/\s+/);
    if (words.length < 6) continue;
    const length = 2 + (seedFromString(text) % 3); // 2, 3 or 4 words, fixed per snippet
    seen.add(words.slice(0, length).join(" "));
  }
  return [...seen];
}

export function demoPrompts(o: { rounds: number; promptsPerRound: number; heldOut: number; seed: number }): DemoPrompts {
  const all = shuffle(createRng(o.seed), reviewOpenings().sort());
  const need = o.heldOut + o.rounds * o.promptsPerRound;
  if (all.length < need) throw new Error(`the demo needs ${need} openings, the data has ${all.length}`);
  return {
    heldOut: all.slice(0, o.heldOut),
    rounds: Array.from({ length: o.rounds }, (_, r) => all.slice(o.heldOut + r * o.promptsPerRound, o.heldOut + (r + 1) * o.promptsPerRound)),
  };
}
