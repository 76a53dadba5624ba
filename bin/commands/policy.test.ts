import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { policies, policyApiKeys } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { ensureProject } from "../../server/services/projects";
import { preflab } from "./cli.fixtures";

describe("preflab policy add-endpoint", () => {
  it("registers an external policy (next version on a second call), the key read from the named variable and never printed", async () => {
    const { db, file } = createTestDb();
    ensureProject(db, "ext", null);
    process.env.PREFLAB_TEST_ENDPOINT_KEY = "sk-cli-secret";
    const args = ["policy", "add-endpoint", "--project", "ext", "--name", "vllm-llama", "--url", "http://localhost:8000/v1", "--model", "meta-llama/Llama-3.1-8B-Instruct"];
    const first = await preflab(file, [...args, "--api-key-env", "PREFLAB_TEST_ENDPOINT_KEY", "--chat", "--timeout", "30", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toContain("sk-cli-secret");
    const shown = JSON.parse(first.stdout);
    expect(shown).toMatchObject({ project: "ext", label: "vllm-llama@1", url: "http://localhost:8000/v1", model: "meta-llama/Llama-3.1-8B-Instruct", mode: "chat", timeoutSeconds: 30, concurrency: 4, retries: 2, hasApiKey: true });
    const row = db.select().from(policies).where(eq(policies.id, shown.id)).get()!;
    expect(row).toMatchObject({ kind: "external", endpoint: "http://localhost:8000/v1", path: null });
    expect(db.select().from(policyApiKeys).where(eq(policyApiKeys.policyId, row.id)).get()?.apiKey).toBe("sk-cli-secret");

    const second = await preflab(file, args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^registered vllm-llama@2 \(policy id \d+\) in "ext": completions endpoint http:\/\/localhost:8000\/v1, model meta-llama\/Llama-3.1-8B-Instruct\n$/);
  });

  it("refuses an unset key variable and a URL that is not http(s), saying why", async () => {
    const { db, file } = createTestDb();
    ensureProject(db, "ext", null);
    const base = ["policy", "add-endpoint", "--project", "ext", "--name", "x", "--model", "m"];
    const unset = await preflab(file, [...base, "--url", "http://localhost:1/v1", "--api-key-env", "PREFLAB_TEST_UNSET_VARIABLE"]);
    expect({ code: unset.code, stderr: unset.stderr }).toEqual({ code: 1, stderr: "preflab: the environment variable PREFLAB_TEST_UNSET_VARIABLE (--api-key-env) is not set\n" });
    const ftp = await preflab(file, [...base, "--url", "ftp://example.org/v1"]);
    expect(ftp.code).toBe(1);
    expect(ftp.stderr).toMatch(/base URL.*\(http or https\)\n.*at url/);
    expect(db.select().from(policies).all()).toEqual([]);
  });
});
