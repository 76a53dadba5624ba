// Loader for the VADER movie-review ratings (data/movie-reviews/, see data/README.md):
// `id<TAB>mean<TAB>sd<TAB>[r1, ..., r15]`, 15 human ratings on -4..+4 per snippet. A column is
// NOT the same person from one snippet to the next, so the ratings are a bag per snippet.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface SnippetRatings {
  id: number;
  /** Mean of the ratings, as published in the file. */
  mean: number;
  /** Population standard deviation (divides by 15), as published in the file. */
  sd: number;
  /** The individual ratings, integers in -4..4. */
  ratings: number[];
}

/** Path of the ratings file shipped in the repository. */
export const movieRatingsPath = fileURLToPath(
  new URL("../data/movie-reviews/movieReviewSnippets_anonDataRatings.txt", import.meta.url),
);

function parseLine(line: string, lineNo: number): SnippetRatings {
  const [id, mean, sd, list] = line.split("\t");
  const match = list?.match(/^\[(.*)\]$/);
  if (!match) throw new Error(`ratings line ${lineNo}: expected id, mean, sd, [ratings]`);
  const ratings = match[1].split(",").map((s) => Number(s.trim()));
  if (ratings.some((r) => !Number.isInteger(r) || r < -4 || r > 4)) {
    throw new Error(`ratings line ${lineNo}: ratings must be integers in -4..4`);
  }
  return { id: Number(id), mean: Number(mean), sd: Number(sd), ratings };
}

/** Parses the file's text; blank lines are ignored. */
export function parseMovieRatings(text: string): SnippetRatings[] {
  const out: SnippetRatings[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== "") out.push(parseLine(line, i + 1));
  });
  return out;
}

/** Reads and parses the ratings file (the shipped one by default). */
export function loadMovieRatings(path: string = movieRatingsPath): SnippetRatings[] {
  return parseMovieRatings(readFileSync(path, "utf8"));
}
