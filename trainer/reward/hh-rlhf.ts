/**
 * Reads Anthropic HH-RLHF preference files (gzip JSONL of {"chosen", "rejected"} transcripts) as
 * prompt / chosen / rejected triples for the reward models' real-data check.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { LinearPair } from "./linear";

const ASSISTANT = "\n\nAssistant:";

/** Splits a transcript after its last "\n\nAssistant:": the dialogue so far, and the final answer. */
export function splitTranscript(transcript: string): { prompt: string; response: string } {
  const at = transcript.lastIndexOf(ASSISTANT);
  if (at < 0) throw new Error("HH-RLHF transcript without an \"\\n\\nAssistant:\" turn");
  const end = at + ASSISTANT.length;
  return { prompt: transcript.slice(0, end), response: transcript.slice(end).trimStart() };
}

/**
 * Pairs from an HH-RLHF file (gzip or plain JSONL). The prompt is the chosen transcript's; the
 * rare records whose two transcripts differ before the last answer keep it too.
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
      const chosen = splitTranscript(record.chosen);
      return { prompt: chosen.prompt, chosen: chosen.response, rejected: splitTranscript(record.rejected).response };
    });
}
