/**
 * A policy version's files as transformers.js asks for them (`<localModelPath><policyId>/<file>`):
 * the playground loads tokenizer, config and ONNX export into the browser and generates there, so
 * the server only hands out files. Only the few files a text-generation model needs are served,
 * never an arbitrary path of the checkpoint directory.
 */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { policies } from "../../db/schema";
import { readCheckpointInfo } from "../../trainer/checkpoint/read";
import { parseModelConfig } from "../../trainer/checkpoint/config";
import { exportOnnx, ONNX_MODEL_FILE, onnxIsStale } from "../../trainer/onnx/checkpoint";
import { exportHasExternalData } from "../../trainer/onnx/export";
import { externalDataPath } from "../../trainer/onnx/external-data";
import { tokenizerConfigJson } from "../../trainer/tokenizer/tokenizer-json";
import { contextLength } from "../../trainer/models/model-config";

/** The export's path as a URL path (the checkpoint's is the platform's). */
const ONNX_FILE = ONNX_MODEL_FILE.replaceAll("\\", "/");
/** Its weights, when they pass what one protobuf holds (transformers.js: `${model file}_data`). */
const ONNX_DATA_FILE = externalDataPath(ONNX_FILE);

/** What transformers.js fetches for AutoTokenizer + AutoModelForCausalLM (dtype fp32) and its content type. */
export const MODEL_FILES: Readonly<Record<string, string>> = {
  "config.json": "application/json",
  "generation_config.json": "application/json",
  "tokenizer.json": "application/json",
  "tokenizer_config.json": "application/json",
  [ONNX_FILE]: "application/octet-stream",
  [ONNX_DATA_FILE]: "application/octet-stream",
};

export type ModelFileAnswer =
  | { status: 404; message: string }
  | { status: 200; contentType: string; size: number; body: () => ReadableStream<Uint8Array> | string };

const notFound = (message: string) => ({ status: 404 as const, message });

/** The checkpoint directory of a policy version, or why it has none. */
function checkpointDir(db: Db, policyId: number): { dir: string } | { message: string } {
  const policy = db.select().from(policies).where(eq(policies.id, policyId)).get();
  if (!policy) return { message: `No policy with id ${policyId}.` };
  const label = `${policy.name}@${policy.version}`;
  if (!policy.path) return { message: `${label} has no checkpoint to load in the browser (it is ${policy.kind === "external" ? "an external endpoint" : "imported text"}).` };
  const dir = resolve(policy.path);
  if (!existsSync(join(dir, "config.json"))) return { message: `${label}'s checkpoint is not on this server (${policy.path}).` };
  return { dir };
}

/** tokenizer_config.json: the checkpoint's own, or the GPT-2 defaults preflab writes, sized to the model's context. */
function tokenizerConfigText(dir: string): string {
  const own = join(dir, "tokenizer_config.json");
  if (existsSync(own)) return readFileSync(own, "utf8");
  return JSON.stringify(tokenizerConfigJson("<|endoftext|>", contextLength(readCheckpointInfo(dir).config)));
}

/**
 * Whether the browser must fetch onnx/model.onnx_data with the model: what the export on disk
 * has when it is up to date, else what the export about to be written will have.
 */
function exportHasDataFile(dir: string): boolean {
  if (!onnxIsStale(dir)) return existsSync(join(dir, ONNX_DATA_FILE));
  const configPath = join(dir, "config.json");
  try {
    return exportHasExternalData(parseModelConfig(JSON.parse(readFileSync(configPath, "utf8")), configPath));
  } catch {
    return false; // a config preflab cannot read is served as it is: the model request says what is wrong
  }
}

/**
 * config.json as is, unless the export keeps its weights in external data: transformers.js then
 * fetches model.onnx_data only when the config says so (as onnx-community's >2 GiB models do).
 */
function configText(dir: string): string {
  const text = readFileSync(join(dir, "config.json"), "utf8");
  if (!exportHasDataFile(dir)) return text;
  const config = JSON.parse(text) as Record<string, unknown>;
  const own = (config["transformers.js_config"] ?? {}) as Record<string, unknown>;
  return JSON.stringify({ ...config, "transformers.js_config": { ...own, use_external_data_format: { [basename(ONNX_MODEL_FILE)]: true } } }, null, 2);
}

/**
 * One file of a policy version. The ONNX export is written first when missing or older than the
 * weights (a version trained before exports existed, or a checkpoint replaced in place).
 */
export function policyModelFile(db: Db, policyId: number, file: string): ModelFileAnswer {
  const contentType = MODEL_FILES[file];
  if (!contentType) return notFound(`${file} is not a model file the playground serves (one of ${Object.keys(MODEL_FILES).join(", ")}).`);
  const found = checkpointDir(db, policyId);
  if (!("dir" in found)) return notFound(found.message);
  const { dir } = found;
  if (file === "tokenizer_config.json" || file === "config.json") {
    const text = file === "config.json" ? configText(dir) : tokenizerConfigText(dir);
    return { status: 200, contentType, size: Buffer.byteLength(text), body: () => text };
  }
  // The model and its data file always come from the same export.
  if ((file === ONNX_FILE || file === ONNX_DATA_FILE) && onnxIsStale(dir)) exportOnnx(dir);
  const path = join(dir, file);
  if (!existsSync(path)) return notFound(`${file} is missing from policy ${policyId}'s checkpoint.`);
  return { status: 200, contentType, size: statSync(path).size, body: () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array> };
}
