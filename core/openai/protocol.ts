/**
 * The OpenAI-compatible API as vLLM, llama.cpp's server and Ollama serve it: the requests preflab
 * accepts on /v1 (validated here, so a bad field is a 400 naming it) and sends to external
 * policies, and the answers and stream chunks both sides exchange. Field names are the wire's
 * (snake_case); unknown request fields (user, logprobs, ...) are ignored, as those servers do.
 */
import { z } from "zod";

const stop = z.union([z.string(), z.array(z.string()).max(4)]).nullish()
  .transform((s) => (s == null ? [] : typeof s === "string" ? [s] : s).filter((x) => x.length > 0));

/** Sampling fields shared by both endpoints; OpenAI's defaults (max_tokens 16 for completions). */
const sampling = {
  max_tokens: z.number().int().min(1).max(4096).nullish(),
  temperature: z.number().min(0).max(5).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop,
  n: z.number().int().min(1).max(16).default(1),
  stream: z.boolean().default(false),
};

export const completionRequestSchema = z.object({
  model: z.string().min(1, "name the model (GET /v1/models lists them)"),
  prompt: z.union([z.string(), z.array(z.string()).min(1).max(16)]),
  ...sampling,
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** Content as a string or as OpenAI's list of parts (only text parts carry anything here). */
const content = z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }))]).nullish()
  .transform((c) => (c == null ? "" : typeof c === "string" ? c : c.map((p) => p.text ?? "").join("")));

export const chatMessageSchema = z.object({ role: z.string().min(1), content });

export const chatRequestSchema = z.object({
  model: z.string().min(1, "name the model (GET /v1/models lists them)"),
  messages: z.array(chatMessageSchema).min(1, "send at least one message"),
  /** Newer clients send max_completion_tokens instead of max_tokens. */
  max_completion_tokens: z.number().int().min(1).max(4096).nullish(),
  ...sampling,
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

export type FinishReason = "stop" | "length";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface CompletionResponse {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; logprobs: null; finish_reason: FinishReason }>;
  usage: Usage;
}

export interface ChatResponse {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{ index: number; message: { role: "assistant"; content: string }; finish_reason: FinishReason }>;
  usage: Usage;
}

export interface CompletionChunk {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; logprobs: null; finish_reason: FinishReason | null }>;
}

export interface ChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{ index: number; delta: { role?: "assistant"; content?: string }; finish_reason: FinishReason | null }>;
}

export interface ModelList {
  object: "list";
  data: Array<{ id: string; object: "model"; created: number; owned_by: string }>;
}

/** An error as these servers answer it: `{ error: { message, type, ... } }`. */
export function errorBody(message: string, type = "invalid_request_error") {
  return { error: { message, type, param: null, code: null } };
}

/**
 * What preflab reads from an answer: the first choice's text (completions) or message content
 * (chat), or a stream chunk's delta. Lenient about everything else, which servers fill differently.
 */
const finish = z.string().nullish();
export const completionAnswerSchema = z.object({ choices: z.array(z.object({ text: z.string(), finish_reason: finish })).min(1) });
export const chatAnswerSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }), finish_reason: finish })).min(1) });
export const completionChunkSchema = z.object({ choices: z.array(z.object({ text: z.string().nullish(), finish_reason: finish })) });
export const chatChunkSchema = z.object({ choices: z.array(z.object({ delta: z.object({ content: z.string().nullish() }).nullish(), finish_reason: finish })) });
