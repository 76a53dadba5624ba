// preflab's OpenAI-compatible endpoint and live battles over real HTTP (the route handlers served
// in this process by sim/api-server.ts, the built-in policy on ONNX Runtime, one thread per
// session): a whole /v1/completions answer, a streamed one (time to the first chunk), and a
// battle turn (two sides generating at once: first delta, both done). Best of a few runs.
import { availableParallelism } from "node:os";
import { readSseData } from "../core/openai/sse";
import { battleProject, builtinCopy } from "../server/services/battles/battles.fixtures";
import { createSession, SESSION_COOKIE } from "../server/services/auth";
import { startServedPreflab } from "../server/services/openai/served.fixtures";

type Row = Record<string, string | number>;

const TOKENS = 32;
const REPEATS = 5;

/** Milliseconds to the first piece of text and to the end of one streamed request. */
async function streamed(request: () => Promise<Response>, isText: (data: string) => boolean): Promise<{ first: number; total: number }> {
  const start = performance.now();
  let first = 0;
  for await (const data of readSseData((await request()).body!)) {
    if (!first && isText(data)) first = performance.now() - start;
  }
  return { first, total: performance.now() - start };
}

async function best<T extends Record<string, number>>(fn: () => Promise<T>): Promise<T> {
  await fn(); // warm-up: the checkpoint is opened once per process, then kept
  let out: T | null = null;
  for (let i = 0; i < REPEATS; i++) {
    const r = await fn();
    out = out ? (Object.fromEntries(Object.keys(r).map((k) => [k, Math.min(out![k]!, r[k]!)])) as T) : r;
  }
  return out!;
}

export async function run(): Promise<Row[]> {
  const served = await startServedPreflab();
  try {
    const cores = availableParallelism();
    const row = (model: string, metric: string, value: number, note: string): Row => ({ bench: "serve", model, metric, value: Number(value.toPrecision(3)), note, cores });
    const body = (stream: boolean) => ({ model: "builtin@1", prompt: "The film was", max_tokens: TOKENS, seed: 1, stream });
    const whole = await best(async () => {
      const start = performance.now();
      const answer = await (await served.post("/completions", body(false))).json();
      const ms = performance.now() - start;
      return { ms, tokens: answer.usage.completion_tokens as number }; // the same every time: one seed
    });
    const stream = await best(() => streamed(() => served.post("/completions", body(true)), (d) => d !== "[DONE]"));
    const { projectId } = battleProject(served.db, "bench-battles", (p) => [builtinCopy(served.db, p, "bench-a"), builtinCopy(served.db, p, "bench-b")], { maxNewTokens: TOKENS });
    const cookie = `${SESSION_COOKIE}=${createSession(served.db, served.researcher.id).token}`;
    const battle = await best(() => streamed(() => fetch(`${served.server.url}/api/battles`, {
      method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ projectId, turn: { kind: "written", text: "The film was" } }),
    }), (d) => d.includes('"type":"delta"')));
    const note = `built-in policy, ${TOKENS} new tokens, best of ${REPEATS} after a warm-up`;
    return [
      row("/v1/completions", "whole answer ms", whole.ms, note),
      row("/v1/completions", "tokens/s", whole.tokens / (whole.ms / 1000), note),
      row("/v1/completions stream", "first chunk ms", stream.first, note),
      row("/v1/completions stream", "total ms", stream.total, note),
      row("battle turn (2 sides)", "first delta ms", battle.first, `${note} at most per side (a chat answer may end sooner); both sides generate at once`),
      row("battle turn (2 sides)", "both answers ms", battle.total, `${note} at most per side (a chat answer may end sooner); both sides generate at once`),
    ];
  } finally {
    await served.server.close();
  }
}
