/**
 * Calls an external policy's OpenAI-compatible endpoint (vLLM, llama.cpp's server, Ollama, or
 * another preflab): one answer per call, streamed when the caller wants deltas. A timeout, a lost
 * connection, a 5xx or a 429 is retried with exponential backoff (never once text was streamed:
 * it cannot be taken back); what still fails is an EndpointError naming the policy and the cause
 * (timed out after N s, HTTP 502 with the body's start, malformed JSON and where). The API key
 * goes in the Authorization header only, never into an error.
 */
import type { z } from "zod";
import type { ChatMessage } from "../../db/schema";
import type { EndpointConfig } from "../../db/types";
import { CHAT_STOP, renderChat } from "./chat-template";
import { chatAnswerSchema, chatChunkSchema, completionAnswerSchema, completionChunkSchema } from "./protocol";
import { readSseData, SSE_DONE } from "./sse";
import { StreamText } from "./stream-text";

export interface EndpointTarget {
  /** The policy as errors name it ("name@version (id N)"). */
  label: string;
  baseUrl: string;
  apiKey: string | null;
  config: EndpointConfig;
}

/** One answer to ask for: a prompt to continue or a conversation to answer. */
export interface EndpointCall {
  prompt?: string;
  messages?: ChatMessage[];
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  stop?: string[];
}

export interface EndpointAnswer {
  text: string;
  finishReason: string | null;
  /** Requests it took (1 when the first one answered). */
  attempts: number;
}

export interface CallOptions {
  /** Streams the answer: called with each new piece of text. */
  onDelta?: (delta: string) => void;
  /** The caller gave up (a voided battle, a cancelled run): stops at once, no retry. */
  signal?: AbortSignal;
}

/** What went wrong, in a word: what a person shown the failure without the details (an annotator) is told. */
export type EndpointFailure = "timeout" | "unreachable" | "http" | "malformed" | "reported";

export class EndpointError extends Error {
  constructor(
    readonly policy: string,
    readonly reason: string,
    readonly failure: EndpointFailure,
  ) {
    super(`policy ${policy}: ${reason}`);
    this.name = "EndpointError";
  }
}

/** A failed attempt, and whether trying again may help. */
class AttemptFailure extends Error {
  constructor(message: string, readonly retryable: boolean, readonly failure: EndpointFailure) {
    super(message);
  }
}

const BACKOFF_MS = 500;
const EXCERPT_CHARS = 200;

/** `…/v1/completions` or `…/v1/chat/completions` under the base URL (…/v1 added when missing). */
export function endpointUrl(baseUrl: string, mode: EndpointConfig["mode"]): string {
  const base = baseUrl.replace(/\/+$/, "");
  return `${/\/v1$/.test(base) ? base : `${base}/v1`}/${mode === "chat" ? "chat/completions" : "completions"}`;
}

export const excerpt = (text: string) => JSON.stringify(text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);

/** The request body; a conversation sent to a completions endpoint goes through preflab's chat template. */
function requestBody(target: EndpointTarget, call: EndpointCall, stream: boolean) {
  const chat = target.config.mode === "chat";
  const templated = !chat && call.messages !== undefined;
  const body = {
    model: target.config.model,
    ...(chat ? { messages: call.messages ?? [{ role: "user", content: call.prompt ?? "" }] } : { prompt: templated ? renderChat(call.messages!) : (call.prompt ?? "") }),
    max_tokens: call.maxTokens,
    temperature: call.temperature,
    ...(call.topP !== undefined ? { top_p: call.topP } : {}),
    ...(call.seed !== undefined ? { seed: call.seed } : {}),
    ...(call.stop?.length || templated ? { stop: [...(call.stop ?? []), ...(templated ? CHAT_STOP : [])].slice(0, 4) } : {}),
    stream,
  };
  return { body, trimStart: chat || templated };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AttemptFailure(`malformed JSON ${where} (${(error as Error).message}): ${excerpt(text)}`, false, "malformed");
  }
}

function parseShape<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new AttemptFailure(`unexpected answer${where ? ` ${where}` : ""}: ${issue.path.join(".") || "(top level)"}: ${issue.message}`, false, "malformed");
}

async function readWhole(response: Response, chat: boolean, trimStart: boolean): Promise<Omit<EndpointAnswer, "attempts">> {
  const json = parseJson(await response.text(), "in the answer");
  if (chat) {
    const choice = parseShape(chatAnswerSchema, json, "").choices[0]!;
    const text = choice.message.content ?? "";
    return { text: trimStart ? text.trimStart() : text, finishReason: choice.finish_reason ?? null };
  }
  const choice = parseShape(completionAnswerSchema, json, "").choices[0]!;
  return { text: trimStart ? choice.text.trimStart() : choice.text, finishReason: choice.finish_reason ?? null };
}

async function readStream(response: Response, chat: boolean, trimStart: boolean, onDelta: (d: string) => void, streamed: { any: boolean }) {
  if (!response.body) throw new AttemptFailure("the streamed answer has no body", true, "malformed");
  const text = new StreamText([], trimStart);
  let raw = "";
  let finishReason: string | null = null;
  let n = 0;
  for await (const data of readSseData(response.body)) {
    n++;
    if (data.trim() === SSE_DONE) break;
    const json = parseJson(data, `in stream event ${n}`);
    const reported = (json as { error?: { message?: unknown } } | null)?.error;
    if (reported) throw new AttemptFailure(`the endpoint reported an error in stream event ${n}: ${excerpt(String(reported.message ?? JSON.stringify(reported)))}`, false, "reported");
    const choice = chat ? parseShape(chatChunkSchema, json, `in stream event ${n}`).choices[0] : parseShape(completionChunkSchema, json, `in stream event ${n}`).choices[0];
    if (!choice) continue;
    raw += (chat ? (choice as { delta?: { content?: string | null } | null }).delta?.content : (choice as { text?: string | null }).text) ?? "";
    finishReason = choice.finish_reason ?? finishReason;
    const delta = text.next(raw);
    if (delta) {
      streamed.any = true;
      onDelta(delta);
    }
  }
  const rest = text.finish(raw);
  if (rest) onDelta(rest);
  return { text: text.text, finishReason };
}

/** What a failed fetch means: a timeout, the caller's abort (rethrown as is), or no connection. */
function fetchFailure(error: unknown, url: string, timeout: AbortSignal, seconds: number, caller?: AbortSignal): unknown {
  if (error instanceof AttemptFailure) return error;
  if (timeout.aborted) return new AttemptFailure(`timed out after ${seconds} s`, true, "timeout");
  if (caller?.aborted) return error;
  const code = ((error as { cause?: { code?: string } }).cause?.code) ?? (error as Error).message;
  return new AttemptFailure(`cannot reach ${url} (${code})`, true, "unreachable");
}

async function attempt(target: EndpointTarget, call: EndpointCall, options: CallOptions, streamed: { any: boolean }) {
  const { mode, timeoutSeconds } = target.config;
  const url = endpointUrl(target.baseUrl, mode);
  const { body, trimStart } = requestBody(target, call, options.onDelta !== undefined);
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: options.onDelta ? "text/event-stream" : "application/json", ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw new AttemptFailure(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}: ${excerpt(text)}`, response.status >= 500 || response.status === 429, "http");
    }
    return options.onDelta ? await readStream(response, mode === "chat", trimStart, options.onDelta, streamed) : await readWhole(response, mode === "chat", trimStart);
  } catch (error) {
    throw fetchFailure(error, url, timeout, timeoutSeconds, options.signal);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** One answer from the endpoint, retried as the target's config says; an EndpointError when it cannot be had. */
export async function callEndpoint(target: EndpointTarget, call: EndpointCall, options: CallOptions = {}): Promise<EndpointAnswer> {
  const streamed = { any: false };
  for (let tries = 1; ; tries++) {
    try {
      return { ...(await attempt(target, call, options, streamed)), attempts: tries };
    } catch (error) {
      if (!(error instanceof AttemptFailure)) throw error; // the caller's abort
      const again = error.retryable && tries <= target.config.retries && !streamed.any && !options.signal?.aborted;
      if (!again) throw new EndpointError(target.label, tries > 1 ? `${error.message} (${tries} attempts)` : error.message, error.failure);
      await sleep(BACKOFF_MS * 2 ** (tries - 1), options.signal);
    }
  }
}
