import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

// The real route handler on a real temporary database, serving a real checkpoint (a copy of the
// built-in policy) as transformers.js fetches it in the playground.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-model-files-"));
process.env.PREFLAB_DB = path.join(dir, "preflab.db");

const { getServerDb } = await import("../db");
const { createSession, createUser, SESSION_COOKIE } = await import("./auth");
const { BUILTIN_POLICY_DIR, ensureBuiltinPolicy, policyForDirectory } = await import("../../core/policy-versions");
const { policies } = await import("../../db/schema");
const modelRoute = await import("../../app/api/models/[...path]/route");
const { exportOnnx } = await import("../../trainer/onnx/checkpoint");
const { writeTinyCheckpoint } = await import("../../trainer/onnx/testing");
const assetRoute = await import("../../app/playground-assets/[file]/route");

const cookies: Record<"researcher" | "admin" | "annotator", string> = { researcher: "", admin: "", annotator: "" };
/** A checkpoint without tokenizer_config.json or an export, as an older trainer left them. */
const checkpoint = path.join(dir, "older-checkpoint");
let checkpointId = 0;
let externalId = 0;

beforeAll(() => {
  const db = getServerDb();
  for (const role of ["researcher", "admin", "annotator"] as const)
    cookies[role] = `${SESSION_COOKIE}=${createSession(db, createUser(db, { username: `mf-${role}`, password: "password1", role }).id).token}`;
  fs.mkdirSync(checkpoint);
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "generation_config.json"]) fs.copyFileSync(path.join(BUILTIN_POLICY_DIR, f), path.join(checkpoint, f));
  checkpointId = policyForDirectory(db, checkpoint).id;
  externalId = db.insert(policies).values({ name: "served-elsewhere", kind: "external", endpoint: "http://127.0.0.1:9/v1" }).returning().get().id;
});

const get = (url: string, cookie = cookies.researcher) => modelRoute.GET(new Request(`http://127.0.0.1:3000${url}`, { headers: cookie ? { cookie } : {} }));
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe("GET /api/models/<policyId>/<file>", () => {
  it("serves researchers and admins, refuses annotators (403) and the signed out (401)", async () => {
    const builtin = ensureBuiltinPolicy(getServerDb()).id;
    const url = `/api/models/${builtin}/config.json`;
    expect((await get(url, "")).status).toBe(401);
    expect((await get(url, cookies.annotator)).status).toBe(403);
    const admin = await get(url, cookies.admin);
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual(JSON.parse(fs.readFileSync(path.join(BUILTIN_POLICY_DIR, "config.json"), "utf8")));
    const researcher = await get(`/api/models/${builtin}/tokenizer.json`);
    expect(researcher.headers.get("content-type")).toBe("application/json");
    expect(await researcher.text()).toBe(fs.readFileSync(path.join(BUILTIN_POLICY_DIR, "tokenizer.json"), "utf8"));
  });

  it("serves only the files a text-generation model needs, never another path of the checkpoint", async () => {
    for (const file of ["model.safetensors", "training_log.json", "README.md", "..%2F..%2Fpackage.json", "onnx%2F..%2F..%2F..%2Fpackage.json", "onnx/model_quantized.onnx", "onnx/model.onnx_data_1", "%E0%A4%A"]) {
      const res = await get(`/api/models/${checkpointId}/${file}`);
      expect(res.status, file).toBe(404);
      expect(await errorOf(res)).toMatch(/is not a model file the playground serves/);
    }
  });

  it("answers 404 naming the policy that does not exist or has no checkpoint, 400 for a path without a policy id", async () => {
    const unknown = await get("/api/models/999999/config.json");
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toBe("No policy with id 999999.");
    const external = await get(`/api/models/${externalId}/config.json`);
    expect(external.status).toBe(404);
    expect(await errorOf(external)).toMatch(/^served-elsewhere@1 has no checkpoint to load in the browser \(it is an external endpoint\)/);
    expect((await get("/api/models/builtin/config.json")).status).toBe(400);
    expect((await get("/api/models/7")).status).toBe(400);
  });

  it("writes the GPT-2 tokenizer_config.json a checkpoint lacks, sized to the model's context", async () => {
    const res = await get(`/api/models/${checkpointId}/tokenizer_config.json`);
    expect(res.status).toBe(200);
    const n_positions = JSON.parse(fs.readFileSync(path.join(checkpoint, "config.json"), "utf8")).n_positions;
    expect(await res.json()).toMatchObject({ tokenizer_class: "GPT2Tokenizer", model_max_length: n_positions, eos_token: "<|endoftext|>" });
    expect(fs.existsSync(path.join(checkpoint, "tokenizer_config.json"))).toBe(false); // served, not written into the checkpoint
  });

  it("writes that tokenizer_config.json without reading the weights", async () => {
    const configOnly = path.join(dir, "weights-elsewhere");
    fs.mkdirSync(configOnly);
    for (const f of ["config.json", "tokenizer.json"]) fs.copyFileSync(path.join(BUILTIN_POLICY_DIR, f), path.join(configOnly, f));
    const res = await get(`/api/models/${policyForDirectory(getServerDb(), configOnly).id}/tokenizer_config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tokenizer_class: "GPT2Tokenizer", eos_token: "<|endoftext|>" });
  });

  it("exports the ONNX model when it is missing, and again when the weights are newer than the export", async () => {
    const onnx = path.join(checkpoint, "onnx", "model.onnx");
    expect(fs.existsSync(onnx)).toBe(false);
    const first = await get(`/api/models/${checkpointId}/onnx/model.onnx`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/octet-stream");
    const bytes = new Uint8Array(await first.arrayBuffer());
    expect(Number(first.headers.get("content-length"))).toBe(bytes.length);
    expect(Buffer.from(bytes).equals(fs.readFileSync(onnx))).toBe(true);
    // The built-in policy's own export is the same weights through the same exporter: same bytes.
    expect(Buffer.from(bytes).equals(fs.readFileSync(path.join(BUILTIN_POLICY_DIR, "onnx", "model.onnx")))).toBe(true);

    // Weights replaced after the export: the next request re-exports before serving.
    const exportedAt = new Date(Date.now() - 60_000);
    fs.utimesSync(onnx, exportedAt, exportedAt);
    expect((await get(`/api/models/${checkpointId}/onnx/model.onnx`)).status).toBe(200);
    expect(fs.statSync(onnx).mtimeMs).toBeGreaterThan(fs.statSync(path.join(checkpoint, "model.safetensors")).mtimeMs);

    // Up to date: served as it is, not written again.
    const kept = new Date(Date.now() + 60_000);
    fs.utimesSync(onnx, kept, kept);
    const keptMs = fs.statSync(onnx).mtimeMs; // as the file system stores it
    expect((await get(`/api/models/${checkpointId}/onnx/model.onnx`)).status).toBe(200);
    expect(fs.statSync(onnx).mtimeMs).toBe(keptMs);
  });

  it("serves onnx/model.onnx_data beside an export that has one, and its config.json tells transformers.js to fetch it", async () => {
    const external = path.join(dir, "external-data-checkpoint");
    writeTinyCheckpoint(external, 3);
    exportOnnx(external, { externalDataAbove: 0 }); // the layout of a model past 2 GiB, on a tiny one
    const id = policyForDirectory(getServerDb(), external).id;
    const data = await get(`/api/models/${id}/onnx/model.onnx_data`);
    expect(data.status).toBe(200);
    expect(data.headers.get("content-type")).toBe("application/octet-stream");
    const bytes = Buffer.from(await data.arrayBuffer());
    expect(Number(data.headers.get("content-length"))).toBe(bytes.length);
    expect(bytes.equals(fs.readFileSync(path.join(external, "onnx", "model.onnx_data")))).toBe(true);
    const config = await get(`/api/models/${id}/config.json`);
    expect(await config.json()).toEqual({
      ...JSON.parse(fs.readFileSync(path.join(external, "config.json"), "utf8")),
      "transformers.js_config": { use_external_data_format: { "model.onnx": true } },
    });

    // A model whose export keeps its weights inside: no data file, its config.json as it is on disk.
    const inline = await get(`/api/models/${checkpointId}/onnx/model.onnx_data`);
    expect(inline.status).toBe(404);
    expect(await errorOf(inline)).toMatch(/onnx\/model\.onnx_data is missing from policy/);
    expect(await (await get(`/api/models/${checkpointId}/config.json`)).text()).toBe(fs.readFileSync(path.join(checkpoint, "config.json"), "utf8"));
  });
});

describe("GET /playground-assets/<file>", () => {
  it("serves onnxruntime-web's runtime from node_modules with the content types browsers require, and nothing else", async () => {
    const asset = (file: string) => assetRoute.GET(new Request(`http://127.0.0.1:3000/playground-assets/${file}`));
    const wasm = await asset("ort-wasm-simd-threaded.asyncify.wasm");
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get("content-type")).toBe("application/wasm");
    expect(Buffer.from(await wasm.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d])); // "\0asm"
    const mjs = await asset("ort-wasm-simd-threaded.asyncify.mjs");
    expect(mjs.headers.get("content-type")).toMatch(/^text\/javascript/);
    for (const file of ["ort.all.mjs", "..%2Fpackage.json", "ort-wasm-simd-threaded.wasm"]) expect((await asset(file)).status, file).toBe(404);
  });
});
