import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sourceFingerprint, staleBuildReason, writeBuildStamp } from "./build-stamp";

/** A checkout in miniature: sources the build reads, files it does not, and a build folder. */
function checkout() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-stamp-"));
  const write = (file: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  };
  write("app/page.tsx", "export default function Page() { return 1; }");
  write("server/services/x.ts", "export const x = 1;");
  write("server/services/x.test.ts", "test");
  write("package-lock.json", "{}");
  write("e2e/a.spec.ts", "spec");
  const dist = path.join(root, ".next");
  const built = () => {
    write(".next/BUILD_ID", "abc");
    writeBuildStamp(dist, sourceFingerprint(root));
  };
  return { root, dist, write, built };
}

describe("the web app build's staleness check", () => {
  it("builds when there is no build yet", () => {
    const { root, dist } = checkout();
    expect(staleBuildReason(dist, sourceFingerprint(root))).toBe("no build of the web app yet: building it (a few minutes, once)");
  });

  it("keeps a build made from the same sources, even after a checkout rewrote files with the same content", () => {
    const { root, dist, write, built } = checkout();
    built();
    write("app/page.tsx", "export default function Page() { return 1; }");
    expect(staleBuildReason(dist, sourceFingerprint(root))).toBeNull();
  });

  it("rebuilds after a pull changed, added or removed a source, or changed the lockfile", () => {
    const changes: ((c: ReturnType<typeof checkout>) => void)[] = [
      (c) => c.write("app/page.tsx", "export default function Page() { return 2; }"),
      (c) => c.write("server/services/y.ts", "export const y = 2;"),
      (c) => fs.rmSync(path.join(c.root, "server/services/x.ts")),
      (c) => c.write("package-lock.json", '{"lockfileVersion": 3}'),
    ];
    for (const change of changes) {
      const c = checkout();
      c.built();
      change(c);
      expect(staleBuildReason(c.dist, sourceFingerprint(c.root))).toBe("the sources changed since the web app was built (a git pull or an edit): rebuilding it");
    }
  });

  it("ignores files the build never reads: tests, e2e specs", () => {
    const { root, dist, write, built } = checkout();
    built();
    write("server/services/x.test.ts", "another test");
    write("e2e/b.spec.ts", "another spec");
    expect(staleBuildReason(dist, sourceFingerprint(root))).toBeNull();
  });

  it("rebuilds a build that records no sources (made by next build alone) or an unreadable record", () => {
    const { root, dist, write } = checkout();
    write(".next/BUILD_ID", "abc");
    expect(staleBuildReason(dist, sourceFingerprint(root))).toBe("the web app's build does not record its sources: rebuilding it");
    write(".next/preflab-sources.json", "{trunc");
    expect(staleBuildReason(dist, sourceFingerprint(root))).toBe("the web app's build does not record its sources: rebuilding it");
  });
});
