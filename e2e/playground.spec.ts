import { expect, test } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";
import { createProject, unique } from "./label-helpers";

test("a researcher opens the playground and gets a continuation generated in the browser from the built-in policy's ONNX export, with no request leaving this server", async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const project = unique("playground");
  createProject(project);
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  await signIn(page, ADMIN);

  await page.goto("/projects");
  await page.getByRole("link", { name: project, exact: true }).click();
  const sections = page.getByRole("navigation", { name: "Workspace sections" });
  await sections.getByRole("link", { name: "Playground" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/playground$`));
  await expect(sections.getByRole("link", { name: "Playground" })).toHaveAttribute("aria-current", "page");

  // A fresh project has no versions of its own: the built-in policy is there to try.
  await expect(page.getByLabel("Policy version")).toHaveValue(/\d+/);
  await expect(page.getByLabel("Policy version").locator("option:checked")).toHaveText("builtin@1");
  await page.getByLabel("Prompt").fill("The movie was");
  await page.getByLabel("Max new tokens").fill("16");
  await page.getByLabel("Seed").fill("7");
  await expect(page.getByTestId("playground-status")).toHaveAttribute("data-phase", "idle");
  await page.getByRole("button", { name: "Generate" }).click();

  // Loading (files fetched from this server), then tokens streamed, then done.
  const status = page.getByTestId("playground-status");
  await expect(status).toHaveAttribute("data-generation", "1");
  await expect(status).toHaveAttribute("data-phase", "done", { timeout: 240_000 });
  await expect(status).toHaveText(/^Done: \d+ tokens in \d+\.\d\d s, [\d.]+ tokens\/s$/);
  const continuation = page.getByTestId("playground-continuation");
  const first = await continuation.innerText();
  expect(first.trim().length).toBeGreaterThan(0);
  await expect(page.getByLabel("continuation", { exact: true })).toContainText("The movie was");
  await expect(page.getByTestId("playground-provenance")).toHaveText("Generated in your browser by transformers.js from builtin@1's ONNX export.");

  // The model ran here: the browser fetched the export and onnxruntime-web's WebAssembly from preflab.
  const paths = requests.map((url) => new URL(url).pathname);
  expect(paths).toEqual(expect.arrayContaining([expect.stringMatching(/^\/api\/models\/\d+\/onnx\/model\.onnx$/), expect.stringMatching(/^\/api\/models\/\d+\/tokenizer\.json$/), "/playground-assets/ort-wasm-simd-threaded.asyncify.wasm"]));

  // The same seed repeats the continuation (the model stays loaded in the tab).
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(status).toHaveAttribute("data-generation", "2");
  await expect(status).toHaveAttribute("data-phase", "done", { timeout: 120_000 });
  await expect(continuation).toHaveText(first);

  // Stop ends a generation after the token in flight. Same seed: unstopped, this run is the
  // 23 tokens up to the end-of-text token; the CPU slowed 40x so that Stop lands well before.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 40 });
  await page.getByLabel("Max new tokens").fill("40");
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(status).toHaveAttribute("data-generation", "3");
  await expect(status).toHaveText(/^Generating: [1-9]\d* of at most 40 tokens/, { timeout: 120_000 });
  // A click event straight away: the actionability checks alone take seconds on a page slowed 40x.
  await page.getByRole("button", { name: "Stop" }).dispatchEvent("click");
  await expect(status).toHaveAttribute("data-phase", "done", { timeout: 120_000 });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  const stopped = Number((await status.innerText()).match(/^Stopped: (\d+) tokens/)?.[1]);
  expect(stopped).toBeGreaterThanOrEqual(1);
  expect(stopped).toBeLessThan(23);
  await expect(page.getByRole("button", { name: "Generate" })).toBeEnabled();

  // No request left this server: no Hugging Face hub, no CDN.
  const elsewhere = requests.filter((url) => !url.startsWith(`${baseURL}/`) && !url.startsWith("blob:") && !url.startsWith("data:"));
  expect(elsewhere).toEqual([]);
});
