/**
 * A small Arena dump whose leaderboard is checked by hand (arena.test.ts): three models, every
 * kind of vote, both display orders, one multi-turn battle. Shared by the service, CLI and e2e tests.
 */

export type ArenaWinner = "model_a" | "model_b" | "tie" | "tie (bothbad)";

export interface ArenaBattle {
  question_id: string;
  model_a: string;
  model_b: string;
  winner: ArenaWinner;
  conversation_a: { role: string; content: string }[];
  conversation_b: { role: string; content: string }[];
  judge: string;
  turn: number;
  language: string;
  tstamp: number;
}

const user = (content: string) => ({ role: "user", content });
const assistant = (content: string) => ({ role: "assistant", content });

/** Seconds of the first vote; each battle comes a minute after the previous one. */
export const FIRST_TSTAMP = 1_682_351_591.5;

/** One single-turn battle as Arena's dump writes it (extra fields such as language are ignored). */
export function arenaBattle(i: number, modelA: string, modelB: string, winner: ArenaWinner, judge = `arena_user_${100 + (i % 4)}`): ArenaBattle {
  const question = `Question ${i}: name a prime number.`;
  return {
    question_id: `q${i}`,
    model_a: modelA,
    model_b: modelB,
    winner,
    conversation_a: [user(question), assistant(`${modelA} says ${2 * i + 1}.`)],
    conversation_b: [user(question), assistant(`${modelB} says ${2 * i + 3}.`)],
    judge,
    turn: 1,
    language: "English",
    tstamp: FIRST_TSTAMP + 60 * i,
  };
}

/** Votes as (model_a, model_b, winner); alpaca-13b comes first, so it is the base (1000). */
const VOTES: [string, string, ArenaWinner][] = [
  ["alpaca-13b", "vicuna-13b", "model_b"],
  ["vicuna-13b", "alpaca-13b", "model_a"],
  ["vicuna-13b", "alpaca-13b", "model_a"],
  ["alpaca-13b", "vicuna-13b", "model_a"],
  ["vicuna-13b", "alpaca-13b", "tie"],
  ["alpaca-13b", "vicuna-13b", "tie (bothbad)"],
  ["vicuna-13b", "koala-13b", "model_a"],
  ["koala-13b", "vicuna-13b", "model_b"],
  ["koala-13b", "vicuna-13b", "model_a"],
  ["vicuna-13b", "koala-13b", "tie"],
  ["koala-13b", "vicuna-13b", "tie"],
  ["koala-13b", "alpaca-13b", "model_a"],
  ["alpaca-13b", "koala-13b", "model_b"],
  ["alpaca-13b", "koala-13b", "model_a"],
  ["koala-13b", "alpaca-13b", "tie (bothbad)"],
];

/** The hand-checked dump: the votes above, then a two-turn battle koala-13b won against alpaca-13b. */
export function handCheckedBattles(): ArenaBattle[] {
  const battles = VOTES.map(([a, b, w], i) => arenaBattle(i, a, b, w));
  const first = user("Write a haiku about rain.");
  const second = user("Now make it about snow.");
  battles.push({
    ...arenaBattle(VOTES.length, "koala-13b", "alpaca-13b", "model_a", "arena_user_7"),
    conversation_a: [first, assistant("Soft rain on the roof"), second, assistant("Soft snow on the roof")],
    conversation_b: [first, assistant("Rain falls down"), second, assistant("Snow falls down")],
    turn: 2,
  });
  return battles;
}

/** Per model, by hand from the list above: wins, losses, ties, both-bad (the multi-turn battle included). */
export const HAND_TALLIES = {
  "vicuna-13b": { wins: 5, losses: 2, ties: 3, bothBad: 1, judgements: 11 },
  "koala-13b": { wins: 4, losses: 3, ties: 2, bothBad: 1, judgements: 10 },
  "alpaca-13b": { wins: 2, losses: 6, ties: 1, bothBad: 2, judgements: 11 },
};

export const toJsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
