// The serving cache keeps a checkpoint open between requests and opens it again once its weights
// are rewritten, whichever files hold them: a sharded checkpoint's index and every shard count.
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { weightHalves, writeShardedCopy } from "../checkpoint/testing";
import type { OnnxLanguageModel } from "../onnx/checkpoint";
import { writeTinyCheckpoint } from "../onnx/testing";
import { withServedModel } from "./model-cache";

const root = mkdtempSync(join(tmpdir(), "preflab-serve-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const served = (dir: string) => withServedModel(dir, async (model: OnnxLanguageModel) => model);

describe("served models", () => {
  it("a sharded checkpoint stays open until one of its shards is rewritten", async () => {
    const single = join(root, "single");
    writeTinyCheckpoint(single, 3);
    const dir = writeShardedCopy(single, join(root, "sharded"), weightHalves(single));
    const first = await served(dir);
    expect(await served(dir)).toBe(first);
    // Only the last shard changes (dated later than the first open, whatever the clock's resolution).
    const [head, tail] = weightHalves(single);
    const name = Object.keys(tail)[0];
    writeShardedCopy(single, dir, [head, { ...tail, [name]: { ...tail[name], data: tail[name].data.map((v) => v / 2) } }]);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, "model-00002-of-00002.safetensors"), later, later);
    const reopened = await served(dir);
    expect(reopened).not.toBe(first);
    expect(await served(dir)).toBe(reopened);
  });
});
