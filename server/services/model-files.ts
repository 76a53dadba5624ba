/**
 * A policy version's files as transformers.js asks for them (`<localModelPath><policyId>/<file>`):
 * the playground loads tokenizer, config and ONNX export into the browser and generates there, so
 * the server only hands out files. Only the few files a text-generation model needs are served,
 * never an arbitrary path of the checkpoint directory.
 */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { policies } from "../../db/schema";
import { readCheckpoint } from "../../trainer/checkpoint/read";
import { exportOnnx, ONNX_MODEL_FILE, onnxIsStale } from "../../trainer/onnx/checkpoint";
import { tokenizerConfigJson } from "../../trainer/tokenizer/tokenizer-json";
import { contextLength } from "../../trainer/models/model-config";

/** The export's path as a URL path (the checkpoint's is the platform's). */
const ONNX_FILE = ONNX_MODEL_FILE.replaceAll("\\", "/");

/** What transformers.js fetches for AutoTokenizer + AutoModelForCausalLM (dtype fp32) and its content type. */
export const MODEL_FILES: Readonly<Record<string, string>> = {
  "config.json": "application/json",
  "generation_config.json": "application/json",
  "tokenizer.json": "application/json",
  "tokenizer_config.json": "application/json",
  [ONNX_FILE]: "application/octet-stream",
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
  return JSON.stringify(tokenizerConfigJson("<|endoftext|>", contextLength(readCheckpoint(dir).config)));
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
  if (file === "tokenizer_config.json") {
    const text = tokenizerConfigText(dir);
    return { status: 200, contentType, size: Buffer.byteLength(text), body: () => text };
  }
  if (file === ONNX_FILE && onnxIsStale(dir)) exportOnnx(dir);
  const path = join(dir, file);
  if (!existsSync(path)) return notFound(`${file} is missing from policy ${policyId}'s checkpoint.`);
  return { status: 200, contentType, size: statSync(path).size, body: () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array> };
}
