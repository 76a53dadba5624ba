import fs from "node:fs";
import { describe, expect, it } from "vitest";

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Dependencies that no entry of the lockfile provides, as npm resolves them (the package's own
 * node_modules, then each enclosing one up to the root). `npm ci` refuses such a lockfile
 * ("Missing: @next/swc-darwin-arm64 from lock file"): npm writes one when it regenerates the
 * lockfile over an existing node_modules, keeping only this platform's optional packages.
 */
function missingFromLockfile(packages: Record<string, LockEntry>): string[] {
  const missing: string[] = [];
  for (const [where, entry] of Object.entries(packages)) {
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      let dir = where;
      for (;;) {
        if (`${dir ? `${dir}/` : ""}node_modules/${name}` in packages) break;
        if (dir === "") {
          missing.push(`${name} (needed by ${where || "the project"})`);
          break;
        }
        const parent = dir.lastIndexOf("/node_modules/");
        dir = parent === -1 ? "" : dir.slice(0, parent);
      }
    }
  }
  return missing;
}

describe("package-lock.json", () => {
  it("lists every dependency of every package, other platforms' optional ones included, so npm ci accepts it anywhere", () => {
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")) as { packages: Record<string, LockEntry> };
    expect(missingFromLockfile(lock.packages)).toEqual([]);
  });

  it("is told apart from a lockfile regenerated over one platform's node_modules", () => {
    const packages = {
      "": { dependencies: { next: "^16" } },
      "node_modules/next": { dependencies: { "@swc/helpers": "0.5" }, optionalDependencies: { "@next/swc-linux-x64-gnu": "16", "@next/swc-darwin-arm64": "16" } },
      "node_modules/next/node_modules/@swc/helpers": {},
      "node_modules/@next/swc-linux-x64-gnu": {},
    };
    expect(missingFromLockfile(packages)).toEqual(["@next/swc-darwin-arm64 (needed by node_modules/next)"]);
  });
});
