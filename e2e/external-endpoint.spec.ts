import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { httpErrorPeer, malformedJsonPeer, silentPeer, type Peer } from "../core/openai/peers.fixtures";
import { ensureBuiltinPolicy } from "../core/policy-versions";
import { ADMIN, signIn } from "./helpers";
import { addAnnotator, cli, createProject, e2eDb, openLabeling, shownTaskId, unique } from "./label-helpers";

const peers: Peer[] = [];
test.afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
});

/** Registers an endpoint through the workspace form; returns its row in the endpoints table. */
async function register(page: Page, o: { name: string; url: string; model: string; apiKey?: string; timeout?: number; retries?: number }) {
  const form = page.getByRole("form", { name: "Register an endpoint" });
  await form.getByLabel("Policy name").fill(o.name);
  await form.getByLabel("Base URL").fill(o.url);
  await form.getByLabel("Model").fill(o.model);
  await form.getByLabel("API key").fill(o.apiKey ?? "");
  await form.getByLabel("Timeout (s)").fill(String(o.timeout ?? 60));
  await form.getByLabel("Retries").fill(String(o.retries ?? 2));
  await form.getByRole("button", { name: "Register endpoint" }).click();
  await expect(form.getByRole("status")).toHaveText(`Registered ${o.name}@1.`);
  return page.getByTestId("endpoints").getByRole("row").filter({ hasText: `${o.name}@1` });
}

test("preflab's own OpenAI-compatible endpoint registered as an external policy is sampled into the queue; endpoints that time out, answer malformed JSON or an HTTP error show a clear error on that policy while annotators keep labeling", async ({ page, browser, baseURL }) => {
  test.setTimeout(300_000);
  const project = unique("external");
  createProject(project, { judgementsPerTask: 1 });
  const prompts = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-ext-e2e-")), "prompts.jsonl");
  fs.writeFileSync(prompts, ["The film was", "I expected more from", "A quiet, patient"].map((prompt) => JSON.stringify({ prompt })).join("\n"));
  cli(["import", prompts, "--project", project, "--format", "prompts"]);

  // A researcher makes an API token and registers this very server's /v1 as an external policy.
  await signIn(page, ADMIN);
  await page.goto(`/projects/${project}/policies`);
  await page.getByLabel("New token's name").fill("own endpoint");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByTestId("new-api-token").inputValue();
  expect(token).toMatch(/^pfl_/);
  const own = unique("own");
  const ownRow = await register(page, { name: own, url: `${baseURL}/v1`, model: "builtin@1", apiKey: token });
  await ownRow.getByRole("button", { name: "Check" }).click();
  await expect(ownRow.getByRole("status")).toContainText("Answered in");
  await expect(page.getByTestId("endpoints")).not.toContainText(token);

  // A sample run (from the terminal) draws from it over HTTP, against the built-in policy, into pair tasks.
  const ownId = (e2eDb().$client.prepare("select id from policies where name = ?").get(own) as { id: number }).id;
  const config = path.join(path.dirname(prompts), "sample.json");
  fs.writeFileSync(config, JSON.stringify({ policyIds: [ownId, ensureBuiltinPolicy(e2eDb()).id], prompts: "all", maxNewTokens: 8 }));
  const summary = JSON.parse(cli(["train", "sample", "--project", project, "--config", config, "--json"]));
  expect(summary.metrics.tasks_created).toBe(3);
  await page.reload();
  await expect(page.getByTestId("sample-pair")).toHaveCount(3);

  // Misbehaving endpoints: each check names the policy and the cause.
  const cases = [
    { peer: silentPeer(), error: /timed out after 1 s/ },
    { peer: malformedJsonPeer(), error: /malformed JSON in the answer/ },
    { peer: httpErrorPeer(500, "out of memory"), error: /HTTP 500 Internal Server Error: "out of memory"/ },
  ];
  for (const c of cases) {
    const peer = await c.peer;
    peers.push(peer);
    const name = unique("bad");
    const row = await register(page, { name, url: peer.url, model: "any", timeout: 1, retries: 0 });
    await row.getByRole("button", { name: "Check" }).click();
    await expect(row.getByRole("alert")).toContainText(new RegExp(`policy ${name}@1 \\(id \\d+\\): ${c.error.source}`));
  }

  // While a check waits on an endpoint that never answers, an annotator labels a sampled task.
  const hung = await silentPeer();
  peers.push(hung);
  const hungRow = await register(page, { name: unique("hung"), url: hung.url, model: "any", timeout: 15, retries: 0 });
  await hungRow.getByRole("button", { name: "Check" }).click();
  await expect(hungRow.getByRole("button", { name: "Checking…" })).toBeVisible();
  const context = await browser.newContext();
  const annotator = await context.newPage();
  await openLabeling(annotator, addAnnotator("ext-labeler"), project);
  const taskId = await shownTaskId(annotator);
  for (const key of ["a", "2", "Enter"]) await annotator.keyboard.press(key);
  await expect.poll(() => e2eDb().$client.prepare("select count(*) as n from judgements where task_id = ?").get(taskId)).toEqual({ n: 1 });
  await expect(hungRow.getByRole("button", { name: "Checking…" })).toBeVisible(); // the endpoint still has not answered
  await expect(hungRow.getByRole("alert")).toContainText("timed out after 15 s", { timeout: 30_000 });
  await context.close();
});
