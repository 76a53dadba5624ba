// Picks the fastest TensorFlow.js backend available at start and reports it. Order: native CUDA
// (opt-in: it needs CUDA libraries), native CPU (optional dependency), wasm (SIMD; the default
// here), plain JS cpu last. PREFLAB_TF_BACKEND=gpu|node|wasm|cpu forces one.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
// tfjs-core's Node build registers no gradients (its register_all_gradients is ESM with
// extensionless imports Node cannot load); the @tensorflow/tfjs bundle registers them all.
import "@tensorflow/tfjs";

export type BackendChoice = "gpu" | "node" | "wasm" | "cpu";

/** What was chosen, for logs and the dashboard. */
export interface BackendInfo {
  choice: BackendChoice;
  /** tfjs backend name ("tensorflow", "wasm", "cpu"). */
  tfBackend: string;
  /** Extra facts (wasm SIMD / threads). */
  detail: string;
}

// Package imported for each native choice; a variable specifier keeps them optional at type level.
const NATIVE_PACKAGES: Partial<Record<BackendChoice, string>> = {
  gpu: "@tensorflow/tfjs-node-gpu",
  node: "@tensorflow/tfjs-node",
};

let current: BackendInfo | undefined;

async function tryBackend(choice: BackendChoice): Promise<BackendInfo | undefined> {
  try {
    const pkg = NATIVE_PACKAGES[choice];
    if (pkg) await import(/* @vite-ignore */ pkg);
    const tfBackend = pkg ? "tensorflow" : choice;
    if (!(await tf.setBackend(tfBackend))) return undefined;
    await tf.ready();
    let detail = "";
    if (tfBackend === "wasm") {
      const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
      detail = `simd=${simd ? "on" : "off"}, threads=1`;
    }
    return { choice, tfBackend, detail };
  } catch {
    return undefined;
  }
}

/** Candidate order: forced env choice alone, else native CPU, wasm, cpu (GPU only when forced). */
export function backendOrder(env: string | undefined = process.env.PREFLAB_TF_BACKEND): BackendChoice[] {
  const forced = env?.trim().toLowerCase();
  if (forced === "gpu" || forced === "node" || forced === "wasm" || forced === "cpu") return [forced];
  if (forced) throw new Error(`PREFLAB_TF_BACKEND=${env}: expected gpu, node, wasm or cpu`);
  return ["node", "wasm", "cpu"];
}

/**
 * Initializes the best available backend once per process (later calls return the same info
 * unless `choice` names a different one, which switches backends, e.g. in tests).
 */
export async function initBackend(choice?: BackendChoice): Promise<BackendInfo> {
  if (current && (!choice || choice === current.choice)) return current;
  for (const candidate of choice ? [choice] : backendOrder()) {
    const info = await tryBackend(candidate);
    if (info) {
      current = info;
      return info;
    }
  }
  throw new Error(`no TensorFlow.js backend could start (tried ${choice ?? backendOrder().join(", ")})`);
}

/** Backends that can start in this process (for tests and benchmarks that cover every one). */
export async function availableBackends(): Promise<BackendChoice[]> {
  const found: BackendChoice[] = [];
  for (const choice of ["node", "wasm", "cpu"] as const) if (await tryBackend(choice)) found.push(choice);
  if (current) await tf.setBackend(current.tfBackend);
  return found;
}

/** One line for logs: "wasm (simd=on, threads=1)". */
export function describeBackend(info: BackendInfo): string {
  return info.detail ? `${info.choice} (${info.detail})` : info.choice;
}
