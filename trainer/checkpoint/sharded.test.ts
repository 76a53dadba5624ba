// Weights read from disk tensor by tensor: sharded checkpoints (model.safetensors.index.json +
// shards, transformers' layout for larger models) load to the very weights and logits of the
// single-file copy; files are written tensor by tensor too; half-precision tensors larger than the decoder's scratch buffer decode exactly;
// every broken shard layout is a CheckpointError naming the file at fault.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { executeGraph } from "../graph/tfjs-exec";
import { writeTinyLlamaCheckpoint } from "../models/llama-fixtures";
import { buildModelGraph } from "../models/model-config";
import { denseInputs } from "../train/lm-step";
import { readCheckpoint } from "./read";
import { readSafetensorsFile, writeSafetensors, writeSafetensorsFile, type RawTensor } from "./safetensors";
import { expectCheckpointError, weightHalves, writeShardedCopy } from "./testing";
import { loadCheckpoint } from "./tfjs";
import { WEIGHTS_INDEX_FILE, weightFilePaths } from "./weight-files";

const root = mkdtempSync(join(tmpdir(), "preflab-shards-"));
let n = 0;
const single = join(root, "single");

/** A copy of `single` whose weights are split over `shards` (tensor names → shard) plus an index. */
const shardedCopy = (shards: Array<Record<string, RawTensor>>, weightMap?: Record<string, string>) => writeShardedCopy(single, join(root, `sharded${n++}`), shards, weightMap);
const halves = (cut = 5) => weightHalves(single, cut);

const expectError = (dir: string, file: string, problem: RegExp) => expectCheckpointError(() => readCheckpoint(dir), join(dir, file), problem);

describe("weights read tensor by tensor, single file or sharded", () => {
  beforeAll(async () => {
    await initBackend("cpu");
    writeTinyLlamaCheckpoint(single, "llama", 11);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("a sharded copy loads to exactly the same weights and logits", () => {
    const [first, second] = halves();
    const dir = shardedCopy([first, { ...second, "unused.buffer": { shape: [2], data: Float32Array.from([1, 2]) } }]);
    const reference = readCheckpoint(single).weights;
    const sharded = readCheckpoint(dir).weights;
    expect(Object.keys(sharded).sort()).toEqual(Object.keys(reference).sort());
    for (const [name, t] of Object.entries(reference)) {
      expect(sharded[name].shape).toEqual(t.shape);
      expect(Array.from(sharded[name].data)).toEqual(Array.from(t.data));
    }
    const a = loadCheckpoint(single);
    const b = loadCheckpoint(dir);
    const graph = buildModelGraph(a.config);
    const logits = (params: Record<string, tf.Tensor>) => executeGraph(graph, { ...params, ...denseInputs([[1, 2, 3, 4]]) }).logits.arraySync();
    expect(logits(b.params)).toEqual(logits(a.params));
    expect(weightFilePaths(dir).map((p) => p.slice(dir.length + 1))).toEqual([WEIGHTS_INDEX_FILE, "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]);
  });

  it("names the shard or index at fault", () => {
    const [first, second] = halves();
    const missing = shardedCopy([first, second]);
    rmSync(join(missing, "model-00002-of-00002.safetensors"));
    expectError(missing, "model-00002-of-00002.safetensors", /is missing \(model\.safetensors\.index\.json lists its tensors\)/);

    const moved = Object.keys(second)[0];
    const absent = shardedCopy([first, second], { ...Object.fromEntries(Object.keys(first).map((k) => [k, "model-00001-of-00002.safetensors"])), ...Object.fromEntries(Object.keys(second).map((k) => [k, "model-00002-of-00002.safetensors"])), [moved]: "model-00001-of-00002.safetensors" });
    expectError(absent, "model-00001-of-00002.safetensors", new RegExp(`has no tensor ${moved.replace(/\./g, "\\.")}, which model\\.safetensors\\.index\\.json places there`));

    const twice = Object.keys(first)[0];
    const duplicate = shardedCopy([first, { ...second, [twice]: first[twice] }]);
    expectError(duplicate, "model-00002-of-00002.safetensors", new RegExp(`holds tensor ${twice.replace(/\./g, "\\.")}, which model-00001-of-00002\\.safetensors holds too`));

    const notJson = shardedCopy([first, second]);
    writeFileSync(join(notJson, WEIGHTS_INDEX_FILE), "{ weight_map");
    expectError(notJson, WEIGHTS_INDEX_FILE, /is not valid JSON/);

    const escaping = shardedCopy([first, second], { [twice]: "../single/model.safetensors" });
    expectError(escaping, WEIGHTS_INDEX_FILE, /names shard "\.\.\/single\/model\.safetensors", which is not a file in the checkpoint directory/);

    const corrupt = shardedCopy([first, second]);
    writeFileSync(join(corrupt, "model-00001-of-00002.safetensors"), Buffer.from([255, 255, 0, 0, 0, 0, 0, 0, 1]));
    expectError(corrupt, "model-00001-of-00002.safetensors", /header length/);

    const none = shardedCopy([first, second]);
    rmSync(join(none, WEIGHTS_INDEX_FILE));
    expectError(none, "model.safetensors", /is missing .*model\.safetensors\.index\.json with its shards/);
  });

  it("writes a safetensors file tensor by tensor to the very bytes of the in-memory writer", () => {
    const tensors = readCheckpoint(single).weights;
    const path = join(root, "streamed.safetensors");
    writeSafetensorsFile(path, tensors, { format: "pt" });
    expect(readFileSync(path).equals(writeSafetensors(tensors))).toBe(true);
  });

  it("decodes BF16 and F16 tensors larger than the decoder's scratch buffer exactly", () => {
    // 9M values = 18 MB as BF16, past the 16 MiB scratch: the last chunk starts mid-tensor.
    const count = 9 * 2 ** 20 + 3;
    const values = new Float32Array(count);
    const bits = new Uint32Array(values.buffer);
    for (let i = 0; i < count; i++) bits[i] = ((0x3c00 + (i % 0x3f00)) << 16) >>> 0; // low 16 bits zero: exact in BF16
    const half = Buffer.alloc(count * 2);
    for (let i = 0; i < count; i++) half.writeUInt16LE(bits[i] >>> 16, i * 2);
    const f16 = Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00]); // 1, -2, the smallest subnormal
    const header = Buffer.from(JSON.stringify({ big: { dtype: "BF16", shape: [count], data_offsets: [0, half.length] }, small: { dtype: "F16", shape: [3], data_offsets: [half.length, half.length + 6] } }));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const path = join(root, "half.safetensors");
    writeFileSync(path, Buffer.concat([length, header, half, f16]));
    const { tensors } = readSafetensorsFile(path);
    expect(tensors.big.shape).toEqual([count]);
    let mismatches = 0;
    for (let i = 0; i < count; i++) if (tensors.big.data[i] !== values[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect(Array.from(tensors.small.data)).toEqual([1, -2, 2 ** -24]);
    expect(Object.keys(readSafetensorsFile(path, (name) => name === "small").tensors)).toEqual(["small"]);
  });
});
