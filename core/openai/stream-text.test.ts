import { describe, expect, it } from "vitest";
import { StreamText } from "./stream-text";

/** Feeds every prefix of `steps` (what a generator's text is after each token) and returns the deltas. */
function deltas(stop: string[], steps: string[], final: string, trimStart = false): string[] {
  const s = new StreamText(stop, trimStart);
  return [...steps.map((t) => s.next(t)), s.finish(final)];
}

describe("StreamText", () => {
  it("sends each new piece once, and the pieces joined are the final text", () => {
    const out = deltas([], ["Hel", "Hello", "Hello wor", "Hello world"], "Hello world");
    expect(out).toEqual(["Hel", "lo", " wor", "ld", ""]);
  });

  it("holds back what may be the start of a stop string, and drops it when the stop arrives", () => {
    // The generator cuts its text before "\nUser:" once it sees it all.
    const out = deltas(["\nUser:"], ["Fine", "Fine.\n", "Fine.\nUs", "Fine."], "Fine.");
    expect(out).toEqual(["Fine", ".", "", "", ""]);
    expect(out.join("")).toBe("Fine.");
  });

  it("sends held-back text once it turns out not to be a stop", () => {
    const out = deltas(["\nUser:"], ["a\n", "a\nUs", "a\nUsually"], "a\nUsually");
    expect(out).toEqual(["a", "", "\nUsually", ""]);
  });

  it("waits for a character still being decoded (U+FFFD) instead of sending the placeholder", () => {
    const out = deltas([], ["caf", "caf\uFFFD", "café"], "café");
    expect(out).toEqual(["caf", "", "é", ""]);
  });

  it("drops a chat answer's leading whitespace", () => {
    const out = deltas([], [" ", " Hi", " Hi there"], " Hi there", true);
    expect(out).toEqual(["", "Hi", " there", ""]);
  });
});
