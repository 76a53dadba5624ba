/**
 * Reads Anthropic HH-RLHF preference files (gzip JSONL of {"chosen", "rejected"} transcripts) as
 * prompt / chosen / rejected triples for the reward models' real-data check.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { splitHhTranscripts } from "../../db/hh-transcripts";
import type { LinearPair } from "./linear";

/** Splits one transcript after its last "\n\nAssistant:": the dialogue so far, and the final answer. */
export function splitTranscript(transcript: string): { prompt: string; response: string } {
  const { prompt, chosen } = splitPair(transcript, transcript);
  return { prompt, response: chosen };
}

/** The shared split import uses (db/hh-transcripts.ts); answers lose their leading space. */
function splitPair(chosen: string, rejected: string): { prompt: string; chosen: string; rejected: string } {
  const split = splitHhTranscripts(chosen, rejected);
  if (!split) throw new Error("HH-RLHF transcripts without a shared \"\\n\\nAssistant:\" turn");
  return { prompt: split.prompt, chosen: split.chosen.trimStart(), rejected: split.rejected.trimStart() };
}

/**
 * Pairs from an HH-RLHF file (gzip or plain JSONL), split exactly as the import splits them, so
 * the rare records whose transcripts diverge before the last answer get their shared prompt.
 */
export function readHhRlhf(path: string): LinearPair[] {
  const raw = readFileSync(path);
  const text = (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      const record = JSON.parse(line) as { chosen?: unknown; rejected?: unknown };
      if (typeof record.chosen !== "string" || typeof record.rejected !== "string") {
        throw new Error(`${path}:${i + 1}: expected string "chosen" and "rejected"`);
      }
      return splitPair(record.chosen, record.rejected);
    });
}
