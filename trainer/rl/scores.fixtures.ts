// Scoring functions of the RL tests: a hidden preference dense enough that a few small batches carry signal.

/** The share of vowels among an answer's letters (0 without letters). */
export const vowelShare = (text: string): number => {
  const letters = text.toLowerCase().replace(/[^a-z]/g, "");
  return letters.length ? letters.replace(/[^aeiou]/g, "").length / letters.length : 0;
};
