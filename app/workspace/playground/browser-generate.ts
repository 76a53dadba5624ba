// Text generation in the browser with transformers.js from a policy version's ONNX export. This
// module is only ever loaded with a dynamic import from the playground, so transformers.js and
// onnxruntime-web stay out of every other bundle (and out of the server entirely).
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  env,
  InterruptableStoppingCriteria,
  random,
  TextStreamer,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from "@huggingface/transformers";

/** Where preflab serves a policy's files (`/api/models/<policyId>/<file>`) and onnxruntime-web's runtime. */
export const MODEL_FILES_PATH = "/api/models/";
export const RUNTIME_PATH = "/playground-assets/";

// Nothing leaves this server: no Hugging Face hub, no CDN for the WebAssembly runtime.
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = MODEL_FILES_PATH;
// A policy id names one checkpoint, but the built-in one can be re-exported in place: always ask.
env.useBrowserCache = false;
const wasm = env.backends.onnx.wasm!;
wasm.wasmPaths = { mjs: `${RUNTIME_PATH}ort-wasm-simd-threaded.asyncify.mjs`, wasm: `${RUNTIME_PATH}ort-wasm-simd-threaded.asyncify.wasm` };
// One thread: no SharedArrayBuffer, so no cross-origin-isolation headers on the whole site.
wasm.numThreads = 1;

interface LoadedPolicy {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
}

/** Loaded once per policy and page: the second prompt starts generating at once. */
const loaded = new Map<number, Promise<LoadedPolicy>>();

/** Bytes fetched so far over all of a policy's files, as transformers.js reports them. */
export type LoadProgress = (bytes: number) => void;

/** One macrotask: lets the page paint and handle input (Stop) before the next step. */
const nextTask = () => new Promise<void>((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve();
  channel.port2.postMessage(null);
});

/**
 * onnxruntime-web on WebAssembly (one thread, this page's) computes each step and resolves in
 * microtasks only: a whole generation would run without painting a token or seeing a click on
 * Stop. Every forward pass is made to wait for one task first, so tokens stream and Stop works.
 */
function yieldingBetweenSteps(model: PreTrainedModel): PreTrainedModel {
  const session = (model as unknown as { sessions: Record<string, { run: (...args: unknown[]) => Promise<unknown> }> }).sessions.model;
  const run = session.run.bind(session);
  session.run = async (...args) => {
    await nextTask();
    return run(...args);
  };
  return model;
}

function loadPolicy(policyId: number, onProgress: LoadProgress): Promise<LoadedPolicy> {
  let promise = loaded.get(policyId);
  if (!promise) {
    const perFile = new Map<string, number>();
    const progress_callback = (info: { status: string; file?: string; loaded?: number }) => {
      if (info.status !== "progress" || !info.file) return;
      perFile.set(info.file, info.loaded ?? 0);
      onProgress([...perFile.values()].reduce((a, b) => a + b, 0));
    };
    const id = String(policyId);
    promise = Promise.all([
      AutoTokenizer.from_pretrained(id, { progress_callback }),
      AutoModelForCausalLM.from_pretrained(id, { dtype: "fp32", device: "wasm", progress_callback }),
    ]).then(([tokenizer, model]) => ({ tokenizer, model: yieldingBetweenSteps(model) }));
    promise.catch(() => loaded.delete(policyId)); // a failed load is tried again on the next Generate
    loaded.set(policyId, promise);
  }
  return promise;
}

export interface GenerateSettings {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  /** Seeds transformers.js's sampler for a repeatable continuation; null: a fresh one each time. */
  seed: number | null;
}

export interface GenerateEvents {
  onLoadProgress: LoadProgress;
  /** The model is loaded and the first token is being computed; the prompt's tokens and how many new ones fit the context. */
  onStart: (budget: { promptTokens: number; maxNewTokens: number }) => void;
  /** Decoded text as it becomes printable (whole words), and the number of tokens so far. */
  onText: (text: string) => void;
  onToken: (tokens: number) => void;
}

/** A generation in progress: `stop()` ends it after the current token. */
export interface Generation {
  done: Promise<void>;
  stop: () => void;
}

export function generateInBrowser(policyId: number, prompt: string, settings: GenerateSettings, events: GenerateEvents): Generation {
  const stopping = new InterruptableStoppingCriteria();
  const done = (async () => {
    const { tokenizer, model } = await loadPolicy(policyId, events.onLoadProgress);
    if (stopping.interrupted) return;
    const inputs = tokenizer(prompt);
    const promptTokens = inputs.input_ids.dims.at(-1) as number;
    // Positions past the model's context have no embedding: the continuation must fit in it.
    const config = model.config as { n_positions?: number; max_position_embeddings?: number }; // GPT-2's, Llama/Qwen2's
    const context = config.n_positions ?? config.max_position_embeddings ?? Infinity;
    const maxNewTokens = Math.min(settings.maxNewTokens, context - promptTokens);
    if (maxNewTokens < 1) throw new Error(`The prompt is ${promptTokens} tokens; this policy reads at most ${context}, prompt and continuation together.`);
    events.onStart({ promptTokens, maxNewTokens });
    let tokens = 0;
    const streamer = new TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: events.onText,
      token_callback_function: () => events.onToken(++tokens),
    });
    if (settings.seed !== null) random.seed(settings.seed);
    await model.generate({
      ...inputs,
      max_new_tokens: maxNewTokens,
      do_sample: settings.temperature > 0,
      temperature: settings.temperature > 0 ? settings.temperature : 1,
      top_k: settings.topK,
      streamer,
      stopping_criteria: stopping,
    });
  })();
  return { done, stop: () => stopping.interrupt() };
}
