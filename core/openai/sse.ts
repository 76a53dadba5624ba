/**
 * Server-sent events as OpenAI-compatible servers stream them: `data: <json>` lines, an empty line
 * after each event, `data: [DONE]` at the end. Written by preflab's /v1 and battle streams, read
 * back from external endpoints and by the battle page.
 */

export const SSE_DONE = "[DONE]";

/**
 * no-transform keeps `next start`'s gzip (and proxies) from compressing the stream: gzip holds
 * events back until its buffer fills, so a browser would see both battle answers only at the end.
 */
export const SSE_HEADERS = { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store, no-transform", Connection: "keep-alive", "X-Accel-Buffering": "no" };

/** One event's bytes: its JSON (or [DONE]) on a data line. */
export function sseEvent(data: unknown): string {
  return `data: ${data === SSE_DONE ? SSE_DONE : JSON.stringify(data)}\n\n`;
}

/**
 * The data of each event, in order, from a stream of bytes cut anywhere: lines end in \n, \r\n or
 * \r; several data lines of one event are joined with \n; comments (`:`) and other fields are
 * skipped. A last event without its empty line still counts.
 */
export async function* readSseData(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const body = source instanceof ReadableStream ? streamChunks(source) : source;
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  const lineOf = (raw: string): string | null => {
    if (raw === "") {
      const event = data.length ? data.join("\n") : null;
      data = [];
      return event;
    }
    if (raw.startsWith("data:")) data.push(raw.slice(raw.startsWith("data: ") ? 6 : 5));
    return null;
  };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    // A trailing \r may be half of a \r\n still on its way: it stays with the unfinished line.
    const cut = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
    buffer = lines.pop()! + buffer.slice(cut);
    for (const line of lines) {
      const event = lineOf(line);
      if (event !== null) yield event;
    }
  }
  buffer += decoder.decode();
  for (const line of [...buffer.split(/\r\n|\r|\n/), ""]) {
    const event = lineOf(line);
    if (event !== null) yield event;
  }
}

/** A web stream's chunks as they arrive; stopping early (break, a throw) cancels the stream. */
export async function* streamChunks<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
