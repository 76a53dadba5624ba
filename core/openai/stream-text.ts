/**
 * Turns a growing generated text into stream deltas that never have to be taken back: a byte-level
 * tokenizer may end a step inside a UTF-8 character (decoded as U+FFFD until the next token), and
 * text that may be the start of a stop string ("\nUs" of "\nUser:") is cut if the stop arrives.
 * Both are held back until they settle; the deltas joined are exactly the final text.
 */
export class StreamText {
  private sent = "";

  constructor(
    private readonly stop: readonly string[],
    /** Chat answers drop their leading whitespace (the space after "Assistant:"). */
    private readonly trimStart = false,
  ) {}

  /** What became safe to show since the last call, given the whole text so far. */
  next(text: string): string {
    return this.advance(this.settled(this.shown(text)));
  }

  /** The rest, given the final text (already cut at its stop string). */
  finish(text: string): string {
    return this.advance(this.shown(text));
  }

  /** The final text as the deltas spell it. */
  get text(): string {
    return this.sent;
  }

  private shown(text: string): string {
    return this.trimStart ? text.trimStart() : text;
  }

  private settled(text: string): string {
    let end = text.length;
    while (end > 0 && text[end - 1] === "\uFFFD") end--;
    const settledText = text.slice(0, end);
    const held = Math.max(0, ...this.stop.map((s) => partialStopLength(settledText, s)));
    return settledText.slice(0, settledText.length - held);
  }

  private advance(safe: string): string {
    if (!safe.startsWith(this.sent)) return ""; // cannot happen with what is held back; never resend
    const delta = safe.slice(this.sent.length);
    this.sent = safe;
    return delta;
  }
}

/** Length of the longest end of `text` that is a proper start of `stop`. */
function partialStopLength(text: string, stop: string): number {
  for (let n = Math.min(stop.length - 1, text.length); n > 0; n--) if (text.endsWith(stop.slice(0, n))) return n;
  return 0;
}
