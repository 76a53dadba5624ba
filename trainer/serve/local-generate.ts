/**
 * One answer of a preflab policy version (a checkpoint directory) on ONNX Runtime, streamed as it
 * generates: a prompt to continue (/v1/completions) or a conversation rendered with the chat
 * template (/v1/chat/completions, live battles). The prompt keeps its end to leave room for the
 * answer in the model's context, as sample runs do.
 */
import { randomInt } from "node:crypto";
import { CHAT_STOP, renderChat } from "../../core/openai/chat-template";
import { StreamText } from "../../core/openai/stream-text";
import type { ChatMessage } from "../../db/schema";
import type { OnnxLanguageModel } from "../onnx/checkpoint";
import { generateFromIds } from "../onnx/generate";
import { withServedModel } from "./model-cache";
import { contextLength } from "../models/model-config";
import { encodePrompt, keepPromptEnd } from "../tokenizer/sequence-start";

export type LocalInput = { prompt: string } | { messages: ChatMessage[] };

export interface LocalParams {
  /** Absent: half the model's context; never more than leaves one prompt token. */
  maxTokens?: number;
  temperature: number;
  topP?: number;
  /** Absent: a random one (the answer records the seed it was drawn with). */
  seed?: number;
  stop?: string[];
}

export interface LocalAnswer {
  text: string;
  finishReason: "stop" | "length";
  promptTokens: number;
  completionTokens: number;
  seed: number;
  /** The token budget it was drawn with (after the context's limit). */
  maxTokens: number;
}

export interface StreamObserver {
  onDelta?: (delta: string) => void;
  signal?: AbortSignal;
}

/** The prompt's token ids (sequence-start.ts), its end kept so that `maxNewTokens` still fit in the context. */
export function promptIdsWithRoom(model: Pick<OnnxLanguageModel, "tokenizer" | "config">, text: string, maxNewTokens: number): number[] {
  const room = Math.max(1, contextLength(model.config) - maxNewTokens);
  return keepPromptEnd(model.tokenizer, encodePrompt(model.tokenizer, text), room);
}

export const randomSeed = () => randomInt(0, 2 ** 31 - 1);

export function generateLocal(dir: string, input: LocalInput, params: LocalParams, observer: StreamObserver = {}): Promise<LocalAnswer> {
  return withServedModel(dir, async (model) => {
    const chat = "messages" in input;
    const stop = [...(params.stop ?? []), ...(chat ? CHAT_STOP : [])];
    const context = contextLength(model.config);
    const maxNewTokens = Math.min(params.maxTokens ?? Math.floor(context / 2), context - 1);
    const promptIds = promptIdsWithRoom(model, chat ? renderChat(input.messages) : input.prompt, maxNewTokens);
    const seed = params.seed ?? randomSeed();
    const stream = new StreamText(stop, chat);
    const emit = (delta: string) => delta && observer.onDelta?.(delta);
    const options = { temperature: params.temperature, topP: params.topP ?? 1, maxNewTokens, seed, stop };
    const [g] = await generateFromIds(model.lm, [promptIds], model.tokenizer, options, {
      signal: observer.signal,
      onStep: ([row]) => emit(stream.next(row!.text)),
    });
    emit(stream.finish(g!.text));
    return { text: stream.text, finishReason: g!.finishReason === "length" ? "length" : "stop", promptTokens: promptIds.length, completionTokens: g!.tokenIds.length, seed, maxTokens: maxNewTokens };
  });
}
