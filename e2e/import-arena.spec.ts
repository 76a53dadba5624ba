import { expect, test } from "@playwright/test";
import { handCheckedBattles, HAND_TALLIES } from "../server/services/import/arena.fixtures";
import { ADMIN, signIn } from "./helpers";

/** The Arena dump as pandas' to_json(orient="records") writes it: one JSON array on one line. */
const arenaFile = (battles: unknown[]) => ({ name: "arena-battles.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(battles)) });

async function importFile(page: import("@playwright/test").Page, file: ReturnType<typeof arenaFile>, project: string) {
  await page.goto("/projects");
  await page.locator('input[type="file"]').setInputFiles(file);
  await page.getByLabel("Project").fill(project);
  await page.getByRole("button", { name: "Import" }).click();
}

test("a researcher uploads Chatbot Arena battles as a JSON array and the policies' leaderboard ranks the models", async ({ page }) => {
  await signIn(page, ADMIN);
  const battles = handCheckedBattles();
  await importFile(page, arenaFile(battles), "arena-e2e");
  await expect(page.getByRole("status")).toHaveText(new RegExp(`Imported ${battles.length} rows \\(arena\\)`), { timeout: 60_000 });

  await page.goto("/projects/arena-e2e/policies");
  const rows = page.getByTestId("leaderboard").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  const cells = async (i: number) => (await rows.nth(i).locator("td").allInnerTexts()).map((t) => t.trim());
  const expected = [["vicuna-13b@1", "vicuna-13b"], ["koala-13b@1", "koala-13b"], ["alpaca-13b@1", "alpaca-13b"]] as const;
  for (const [i, [label, model]] of expected.entries()) {
    const [policy, rating, , judgements, wlt, bothBad] = await cells(i);
    const t = HAND_TALLIES[model];
    expect([policy, judgements, wlt, bothBad]).toEqual([label, String(t.judgements), `${t.wins} / ${t.losses} / ${t.ties}`, String(t.bothBad)]);
    if (model === "alpaca-13b") expect(rating).toBe("1000"); // the base: the earliest policy
  }
  await expect(rows.nth(0).getByRole("img", { name: /^95% interval \d+ to \d+$/ })).toBeVisible();
});

test("a malformed battle in a JSON array is refused by record and line, and nothing is imported", async ({ page }) => {
  await signIn(page, ADMIN);
  const [good, other] = handCheckedBattles();
  await importFile(page, arenaFile([good, { ...other, winner: "model_c" }]), "arena-bad-e2e");
  const alert = page.getByRole("alert").filter({ hasText: "Nothing was imported" });
  await expect(alert).toContainText('Record 2 (line 1): winner: must be one of "model_a", "model_b", "tie", "tie (bothbad)"');
  await expect(page.getByText("Loading projects…")).toHaveCount(0);
  await expect(page.getByTestId("project-arena-bad-e2e")).toHaveCount(0);
});
