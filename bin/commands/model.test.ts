import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend";
import { saveCheckpoint } from "../../trainer/checkpoint/tfjs";
import { textLogprobs } from "../../trainer/logprobs";
import { tinyLanguageModel } from "../../trainer/test-fixtures";

const dir = join(mkdtempSync(join(tmpdir(), "preflab-cli-")), "model");
const cli = (...args: string[]) => execFileSync(process.execPath, ["bin/preflab.mjs", ...args], { encoding: "utf8", env: { ...process.env, PREFLAB_TF_BACKEND: "cpu" } });

describe("preflab model / sample", () => {
  let want: ReturnType<typeof textLogprobs>;
  beforeAll(async () => {
    await initBackend("cpu");
    const model = tinyLanguageModel(4);
    saveCheckpoint(dir, { config: model.config, params: model.params, tokenizerJson: model.tokenizerJson, eosId: model.tokenizer.eosId });
    want = textLogprobs(model, "the film was great");
  });

  it("model logprobs prints one JSON object with a null first log-prob", () => {
    const out = JSON.parse(cli("model", "logprobs", "--model", dir, "--text", "the film was great"));
    expect(Object.keys(out)).toEqual(["tokens", "token_ids", "logprobs"]);
    expect(out.token_ids).toEqual(want.tokenIds);
    expect(out.tokens).toEqual(want.tokens);
    expect(out.logprobs[0]).toBeNull();
    out.logprobs.slice(1).forEach((lp: number, i: number) => expect(lp).toBeCloseTo(want.logprobs[i + 1] as number, 4));
  });

  it("sample prints one JSON line per sample; a bad directory is one clear line", () => {
    const args = ["sample", "--model", dir, "--prompt", "the", "--n", "2", "--max-new-tokens", "5", "--seed", "3", "--temperature", "0.8"];
    const lines = cli(...args).trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toHaveProperty("token_ids");
    const bad = spawnSync(process.execPath, ["bin/preflab.mjs", "sample", "--model", join(dir, "nope"), "--prompt", "x"], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe(`preflab: ${join(dir, "nope")}: is not a directory`);
  });
});
