// Bridges checkpoints and TensorFlow.js parameter tensors.
import * as tf from "@tensorflow/tfjs-core";
import type { Params } from "../models/params";
import { readCheckpoint, type RawCheckpoint } from "./read";
import type { RawTensor } from "./safetensors";
import { writeCheckpoint, type CheckpointContents } from "./write";

/** A checkpoint with its weights as tfjs tensors (caller disposes `params`). */
export type LoadedCheckpoint = Omit<RawCheckpoint, "weights"> & { params: Params };

/** Reads `dir` (see readCheckpoint for the checks) and uploads the weights to the tfjs backend. */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const { weights, ...rest } = readCheckpoint(dir);
  const params: Params = {};
  for (const [name, t] of Object.entries(weights)) params[name] = tf.tensor(t.data, t.shape, "float32");
  return { ...rest, params };
}

/** Downloads tfjs parameters into plain float32 arrays. */
export function paramsToRaw(params: Params): Record<string, RawTensor> {
  const raw: Record<string, RawTensor> = {};
  for (const [name, t] of Object.entries(params)) raw[name] = { shape: t.shape.slice(), data: t.dataSync() as Float32Array };
  return raw;
}

/** Saves tfjs parameters and the rest of a checkpoint to `dir`. */
export function saveCheckpoint(dir: string, contents: Omit<CheckpointContents, "weights"> & { params: Params }): void {
  const { params, ...rest } = contents;
  writeCheckpoint(dir, { ...rest, weights: paramsToRaw(params) });
}
