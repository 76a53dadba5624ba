import { describe, expect, it } from "vitest";
import { readSseData, sseEvent, SSE_DONE } from "./sse";

const bytes = (text: string) => new TextEncoder().encode(text);

async function collect(chunks: string[]): Promise<string[]> {
  async function* source() {
    for (const c of chunks) yield bytes(c);
  }
  const out: string[] = [];
  for await (const data of readSseData(source())) out.push(data);
  return out;
}

/** Every way to cut `text` in two. */
const cuts = (text: string) => Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);

describe("server-sent events", () => {
  it("reads back what sseEvent writes, [DONE] included", async () => {
    const text = sseEvent({ a: 1 }) + sseEvent({ b: "two\nlines" }) + sseEvent(SSE_DONE);
    expect(await collect([text])).toEqual(['{"a":1}', '{"b":"two\\nlines"}', "[DONE]"]);
  });

  it("gives the same events however the bytes are cut, with \\n, \\r\\n or \\r line ends", async () => {
    for (const end of ["\n", "\r\n", "\r"]) {
      const text = `data: {"x":1}${end}${end}: a comment${end}event: message${end}data: {"y":${end}data: 2}${end}${end}data: [DONE]${end}${end}`;
      for (const parts of cuts(text)) expect(await collect(parts), JSON.stringify(parts)).toEqual(['{"x":1}', '{"y":\n2}', "[DONE]"]);
    }
  });

  it("reads a multi-byte character split between chunks, and a last event without its blank line", async () => {
    const encoded = bytes('data: {"t":"é😀"}\n\ndata: last');
    async function* bytewise() {
      for (const b of encoded) yield new Uint8Array([b]);
    }
    const out: string[] = [];
    for await (const data of readSseData(bytewise())) out.push(data);
    expect(out).toEqual(['{"t":"é😀"}', "last"]);
  });

  it("takes data: without the space, as the format allows", async () => {
    expect(await collect(['data:{"k":true}\n\n'])).toEqual(['{"k":true}']);
  });
});
