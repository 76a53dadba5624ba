/**
 * /v1/completions and /v1/chat/completions answered by a preflab policy version on ONNX Runtime,
 * in OpenAI's shapes: `n` choices per prompt (choice i drawn with seed + i when a seed is given),
 * whole or streamed as server-sent events (`data: {chunk}` lines, then `data: [DONE]`). Choices
 * are generated one after another: the cores are shared with the web server and the worker.
 */
import { randomUUID } from "node:crypto";
import type { ChatChunk, ChatRequest, ChatResponse, CompletionChunk, CompletionRequest, CompletionResponse, FinishReason } from "../../../core/openai/protocol";
import { errorBody } from "../../../core/openai/protocol";
import { SSE_DONE, SSE_HEADERS, sseEvent } from "../../../core/openai/sse";
import type { Db } from "../../../db/client";
import { generateLocal, type LocalAnswer, type LocalInput, type LocalParams, type StreamObserver } from "../../../trainer/serve/local-generate";
import { modelId, resolveServedModel } from "./served-models";

/** OpenAI's default for /v1/completions; chat answers default to half the model's context. */
const COMPLETION_MAX_TOKENS = 16;

type Sampling = Pick<CompletionRequest, "max_tokens" | "temperature" | "top_p" | "seed" | "stop">;

function localParams(r: Sampling, choice: number, maxTokens: number | null | undefined): LocalParams {
  return { maxTokens: maxTokens ?? undefined, temperature: r.temperature ?? 1, topP: r.top_p ?? undefined, seed: r.seed == null ? undefined : r.seed + choice, stop: r.stop };
}

interface Job {
  input: LocalInput;
  params: LocalParams;
}

/** How one endpoint wraps answers and deltas (completions: text; chat: a message). */
interface Shape<Whole, Chunk> {
  idPrefix: string;
  whole(base: Base, answers: LocalAnswer[]): Whole;
  delta(base: Base, index: number, text: string, first: boolean): Chunk;
  end(base: Base, index: number, reason: FinishReason): Chunk;
}
interface Base {
  id: string;
  created: number;
  model: string;
}

const usage = (answers: LocalAnswer[]) => {
  const prompt = answers.reduce((s, a) => s + a.promptTokens, 0);
  const completion = answers.reduce((s, a) => s + a.completionTokens, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
};

const completionShape: Shape<CompletionResponse, CompletionChunk> = {
  idPrefix: "cmpl-",
  whole: (b, answers) => ({ ...b, object: "text_completion", choices: answers.map((a, index) => ({ index, text: a.text, logprobs: null, finish_reason: a.finishReason })), usage: usage(answers) }),
  delta: (b, index, text) => ({ ...b, object: "text_completion", choices: [{ index, text, logprobs: null, finish_reason: null }] }),
  end: (b, index, reason) => ({ ...b, object: "text_completion", choices: [{ index, text: "", logprobs: null, finish_reason: reason }] }),
};

const chatShape: Shape<ChatResponse, ChatChunk> = {
  idPrefix: "chatcmpl-",
  whole: (b, answers) => ({ ...b, object: "chat.completion", choices: answers.map((a, index) => ({ index, message: { role: "assistant", content: a.text }, finish_reason: a.finishReason })), usage: usage(answers) }),
  delta: (b, index, text, first) => ({ ...b, object: "chat.completion.chunk", choices: [{ index, delta: first ? { role: "assistant", content: text } : { content: text }, finish_reason: null }] }),
  end: (b, index, reason) => ({ ...b, object: "chat.completion.chunk", choices: [{ index, delta: {}, finish_reason: reason }] }),
};

async function wholeAnswer<W, C>(dir: string, base: Base, jobs: Job[], shape: Shape<W, C>, signal: AbortSignal): Promise<Response> {
  const answers: LocalAnswer[] = [];
  for (const job of jobs) answers.push(await generateLocal(dir, job.input, job.params, { signal }));
  return Response.json(shape.whole(base, answers), { headers: { "Cache-Control": "no-store" } });
}

/** Streams every choice in turn; a failure mid-stream is sent as an error event, and the stream ends without [DONE]. */
function streamedAnswer<W, C>(dir: string, base: Base, jobs: Job[], shape: Shape<W, C>, signal: AbortSignal): Response {
  const stop = new AbortController();
  const aborted = AbortSignal.any([signal, stop.signal]);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (data: unknown) => controller.enqueue(encoder.encode(sseEvent(data)));
      try {
        for (const [index, job] of jobs.entries()) {
          let first = true;
          const observer: StreamObserver = { signal: aborted, onDelta: (text) => (send(shape.delta(base, index, text, first)), (first = false)) };
          const answer = await generateLocal(dir, job.input, job.params, observer);
          if (first) send(shape.delta(base, index, "", true)); // an empty answer still opens its message
          send(shape.end(base, index, answer.finishReason));
        }
        send(SSE_DONE);
      } catch (error) {
        if (!aborted.aborted) send(errorBody(`generation failed: ${(error as Error).message}`, "server_error"));
      } finally {
        closeQuietly(controller);
      }
    },
    cancel() {
      stop.abort(); // the client went away: stop generating for it
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}

/** Ends the stream; one its reader cancelled is closed already. */
export function closeQuietly(controller: ReadableStreamDefaultController<Uint8Array>): void {
  try {
    controller.close();
  } catch {
    // cancelled by the reader
  }
}

function answer<W, C>(db: Db, model: string, stream: boolean, jobs: Job[], shape: Shape<W, C>, signal: AbortSignal): Promise<Response> | Response {
  const policy = resolveServedModel(db, model);
  const base = { id: `${shape.idPrefix}${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: modelId(policy) };
  return stream ? streamedAnswer(policy.path, base, jobs, shape, signal) : wholeAnswer(policy.path, base, jobs, shape, signal);
}

export function serveCompletion(db: Db, r: CompletionRequest, signal: AbortSignal) {
  const prompts = typeof r.prompt === "string" ? [r.prompt] : r.prompt;
  const jobs = prompts.flatMap((prompt) => Array.from({ length: r.n }, () => ({ input: { prompt } }))).map((job, i) => ({ ...job, params: localParams(r, i, r.max_tokens ?? COMPLETION_MAX_TOKENS) }));
  return answer(db, r.model, r.stream, jobs, completionShape, signal);
}

export function serveChat(db: Db, r: ChatRequest, signal: AbortSignal) {
  const messages = r.messages.map((m) => ({ role: m.role, content: m.content }));
  const jobs = Array.from({ length: r.n }, (_, i) => ({ input: { messages }, params: localParams(r, i, r.max_completion_tokens ?? r.max_tokens) }));
  return answer(db, r.model, r.stream, jobs, chatShape, signal);
}
