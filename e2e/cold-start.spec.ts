import { expect, test, type Page } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

const PROJECT = "cold-start-e2e";
const openings = ["The film is", "This movie was", "The acting felt", "The plot seemed"];

/** The export the datasets page links to, as the browser would download it: one JSON row per line. */
async function download(page: Page) {
  const href = await page.getByRole("link", { name: "Download trl" }).getAttribute("href");
  const response = await page.request.get(href!);
  expect(response.status()).toBe(200);
  return { href: href!, rows: (await response.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { provenance: { source: string; generating_run?: { kind: string } } }) };
}

test("a researcher starts a D-REX cold start: its synthetic pairs are counted apart from people's and exported only when asked", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/projects");
  const prompts = openings.map((prompt) => JSON.stringify({ prompt })).join("\n");
  await page.locator('input[type="file"]').setInputFiles({ name: "openings.jsonl", mimeType: "application/json", buffer: Buffer.from(prompts) });
  await page.getByLabel("Project").fill(PROJECT);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toHaveText(/Imported 4 rows/, { timeout: 60_000 });
  await page.getByTestId(`project-${PROJECT}`).getByRole("link", { name: PROJECT }).click();
  await page.getByRole("navigation", { name: "Workspace sections" }).getByRole("link", { name: "Training" }).click();

  await page.getByRole("combobox", { name: /^Kind/ }).selectOption("drex");
  await expect(page.locator("#run-kind-description")).toContainText("less noise");
  await page.getByRole("button", { name: "Edit as JSON" }).click();
  await page.getByRole("textbox", { name: /^Config/ }).fill(JSON.stringify({ prompts: "all", noiseLevels: [0, 1], maxNewTokens: 6 }));
  await page.getByRole("button", { name: "Start training" }).click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 90_000 });

  // One pair per opening (ε 0 ≻ ε 1), in no human count.
  await page.goto("/projects");
  const row = page.getByTestId(`project-${PROJECT}`);
  await expect(row.getByTestId("judgement-count")).toHaveText("0");
  await expect(row.getByTestId("synthetic-count")).toHaveText("4 synthetic (D-REX)");
  await row.getByRole("link", { name: PROJECT }).click();
  await page.getByRole("navigation", { name: "Workspace sections" }).getByRole("link", { name: "Labeling" }).click();
  await expect(page.getByTestId("synthetic-progress")).toHaveText("4 synthetic (D-REX)");

  await page.goto("/projects");
  await page.getByTestId(`project-${PROJECT}`).getByRole("link", { name: "Export" }).click();
  await expect(page.getByRole("combobox", { name: /^Project/ })).toContainText(`${PROJECT} (0 judgements, 4 synthetic (D-REX))`);
  expect((await download(page)).rows).toEqual([]);
  await page.getByRole("checkbox", { name: /Include synthetic judgements/ }).check();
  const withSynthetic = await download(page);
  expect(withSynthetic.href).toContain("includeSynthetic=1");
  expect(withSynthetic.rows.map((r) => [r.provenance.source, r.provenance.generating_run?.kind])).toEqual(Array(4).fill(["synthetic", "drex"]));
});
