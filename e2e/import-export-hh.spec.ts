import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { expect, test } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

const HH_FILE = path.resolve("data/hh-rlhf/harmless-base-test.part1.jsonl.gz");

/** The prompt is everything up to the last "\n\nAssistant:" the two transcripts share. */
function expectedPairs() {
  const lines = zlib.gunzipSync(fs.readFileSync(HH_FILE)).toString("utf8").split("\n").filter(Boolean);
  return lines.map((line) => {
    const { chosen, rejected } = JSON.parse(line) as { chosen: string; rejected: string };
    let common = 0;
    while (common < Math.min(chosen.length, rejected.length) && chosen[common] === rejected[common]) common++;
    const marker = "\n\nAssistant:";
    const end = chosen.lastIndexOf(marker, common - marker.length) + marker.length;
    return { prompt: chosen.slice(0, end), chosen: chosen.slice(end), rejected: rejected.slice(end) };
  });
}

test("a researcher imports the HH-RLHF file through the UI, sees the count, and exports the same pairs as TRL JSONL", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/projects");
  await page.locator('input[type="file"]').setInputFiles(HH_FILE);
  await page.getByLabel("Project").fill("hh-e2e");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toHaveText(/Imported 1,500 rows \(hh\)/, { timeout: 60_000 });
  await expect(page.getByTestId("project-hh-e2e").getByTestId("judgement-count")).toHaveText("1,500");

  await page.getByTestId("project-hh-e2e").getByRole("link", { name: "Export" }).click();
  await expect(page.getByLabel("Format")).toHaveValue("trl");
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download trl" }).click();
  const download = await downloadPromise;
  const text = fs.readFileSync(await download.path(), "utf8");
  const exported = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  expect(exported.map(({ prompt, chosen, rejected }) => ({ prompt, chosen, rejected }))).toEqual(expectedPairs());
});

test("a malformed file is refused with every bad line listed, and nothing is imported", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/projects");
  const bad = [JSON.stringify({ prompt: "p", chosen: "a", rejected: "b" }), "{broken", JSON.stringify({ prompt: "q", chosen: "a" })].join("\n");
  await page.locator('input[type="file"]').setInputFiles({ name: "bad.jsonl", mimeType: "application/json", buffer: Buffer.from(bad) });
  await page.getByLabel("Project").fill("bad-e2e");
  await page.getByRole("button", { name: "Import" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "Nothing was imported" });
  await expect(alert).toContainText("Nothing was imported: 2 problem(s)");
  await expect(alert).toContainText("Line 2: invalid JSON");
  await expect(alert).toContainText('Line 3: missing field "rejected"');
  await expect(page.getByTestId("project-bad-e2e")).toHaveCount(0);
});
