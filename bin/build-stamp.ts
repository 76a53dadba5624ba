/**
 * Whether the web app's production build still matches its sources. `preflab build` records a
 * fingerprint of what the build reads (the folders the app imports and the configs that shape the
 * bundle) beside the build; `preflab serve` (`npm start`) compares it with the checkout, so a
 * `git pull` or a local edit rebuilds once instead of serving the old pages.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** What `next build` reads: the app and everything it imports, and the configs that shape the bundle. */
export const BUILD_INPUTS = ["app", "server", "core", "db", "stats", "trainer", "next.config.mjs", "postcss.config.mjs", "tsconfig.json", "package.json", "package-lock.json"];

/** Files under the inputs that never reach the bundle: tests, their fixtures, prose. */
const NOT_BUILT = /(\.test\.tsx?|\.fixtures\.tsx?|\.spec\.ts|\.md)$/;

const STAMP_FILE = "preflab-sources.json";

/** The build folder, as next.config.mjs chooses it. */
export const nextDistDir = (root: string) => path.resolve(root, process.env.PREFLAB_NEXT_DIST_DIR || ".next");

function* inputFiles(root: string, relative: string): Generator<string> {
  const full = path.join(root, relative);
  const stat = fs.statSync(full, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isFile()) {
    if (!NOT_BUILT.test(relative)) yield relative;
    return;
  }
  for (const entry of fs.readdirSync(full).sort()) yield* inputFiles(root, path.join(relative, entry));
}

/** SHA-256 over every input file's path and content (content, not mtimes: a checkout touches files it does not change). */
export function sourceFingerprint(root: string): string {
  const hash = crypto.createHash("sha256");
  for (const input of BUILD_INPUTS) {
    for (const file of inputFiles(root, input)) hash.update(file).update("\0").update(fs.readFileSync(path.join(root, file))).update("\0");
  }
  return hash.digest("hex");
}

/** Written after a successful build: the fingerprint of the sources it started from. */
export function writeBuildStamp(distDir: string, fingerprint: string): void {
  fs.writeFileSync(path.join(distDir, STAMP_FILE), `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString() })}\n`);
}

function recordedFingerprint(distDir: string): string | null {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(distDir, STAMP_FILE), "utf8")) as { fingerprint?: unknown };
    return typeof stamp.fingerprint === "string" ? stamp.fingerprint : null;
  } catch {
    return null; // none (a build made by `next build` alone) or unreadable: rebuild to be sure
  }
}

/** Why the build must be made again, or null when it matches `fingerprint`. */
export function staleBuildReason(distDir: string, fingerprint: string): string | null {
  if (!fs.existsSync(path.join(distDir, "BUILD_ID"))) return "no build of the web app yet: building it (a few minutes, once)";
  const recorded = recordedFingerprint(distDir);
  if (recorded === null) return "the web app's build does not record its sources: rebuilding it";
  if (recorded !== fingerprint) return "the sources changed since the web app was built (a git pull or an edit): rebuilding it";
  return null;
}
