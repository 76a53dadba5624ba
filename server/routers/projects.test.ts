import path from "node:path";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { createTestDb } from "../../db/testing";
import { createCaller } from "../root";
import { createUser } from "../services/auth";
import { importFile } from "../services/import/run-import";
import { createInnerContext } from "../trpc";

const HH_FILE = path.resolve("data/hh-rlhf/harmless-base-test.part1.jsonl.gz");

function setup() {
  const { db } = createTestDb();
  const researcher = createUser(db, { username: "rita", password: "password1", role: "researcher" });
  const annotator = createUser(db, { username: "anna", password: "password1", role: "annotator" });
  const as = (user: typeof researcher | null) => createCaller(createInnerContext({ db, user }));
  return { db, researcher, annotator, as };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (e) {
    return e instanceof TRPCError ? e.code : `not a TRPCError: ${e}`;
  }
}

describe("projects router", () => {
  it("lists projects with the counts of what was imported", async () => {
    const { db, as, researcher } = setup();
    await importFile(db, HH_FILE, { projectName: "hh", format: "auto" });
    const list = await as(researcher).projects.list();
    expect(list).toEqual([expect.objectContaining({ name: "hh", prompts: 1500, tasks: 1500, openTasks: 0, judgements: 1500 })]);
  });

  it("shows annotators project names and open task counts, nothing more", async () => {
    const { as, annotator, researcher } = setup();
    await as(researcher).projects.create({ name: "p" });
    expect(await as(annotator).projects.forLabeling()).toEqual([{ id: expect.any(Number), name: "p", openTasks: 0 }]);
  });

  it("refuses researcher procedures to annotators and to signed-out visitors", async () => {
    const { as, annotator } = setup();
    expect(await codeOf(as(annotator).projects.list())).toBe("FORBIDDEN");
    expect(await codeOf(as(annotator).projects.create({ name: "x" }))).toBe("FORBIDDEN");
    expect(await codeOf(as(annotator).users.list())).toBe("FORBIDDEN");
    expect(await codeOf(as(null).projects.list())).toBe("UNAUTHORIZED");
  });

  it("answers invalid input with BAD_REQUEST and the zod message, and duplicates with CONFLICT", async () => {
    const { as, researcher } = setup();
    const error = await as(researcher).projects.create({ name: "   " }).catch((e: TRPCError) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as TRPCError).message).toContain("Name the project");
    await as(researcher).projects.create({ name: "p" });
    expect(await codeOf(as(researcher).projects.create({ name: "p" }))).toBe("CONFLICT");
  });

  it("merges a settings update over the stored settings and validates it", async () => {
    const { as, researcher } = setup();
    const p = await as(researcher).projects.create({ name: "p" });
    const updated = await as(researcher).projects.update({ projectId: p.id, settings: { judgementsPerTask: 5 } });
    expect(updated.settings.judgementsPerTask).toBe(5);
    expect(updated.settings.leaseSeconds).toBe(900);
    expect(await codeOf(as(researcher).projects.update({ projectId: p.id, settings: { goldRate: 2 } }))).toBe("BAD_REQUEST");
  });
});

describe("auth router", () => {
  it("creates the first admin once, then refuses setup", async () => {
    const { db } = createTestDb();
    const cookies: string[] = [];
    const caller = createCaller(createInnerContext({ db, user: null, setCookie: (c) => cookies.push(c) }));
    expect((await caller.auth.status()).needsSetup).toBe(true);
    const admin = await caller.auth.setup({ username: "root", password: "password1" });
    expect(admin.role).toBe("admin");
    expect(cookies[0]).toMatch(/^preflab_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(await codeOf(caller.auth.setup({ username: "eve", password: "password1" }))).toBe("FORBIDDEN");
  });

  it("signs in with the right password only, with one message for both kinds of mistake", async () => {
    const { as } = setup();
    const ok = await as(null).auth.signIn({ username: "rita", password: "password1" });
    expect(ok.username).toBe("rita");
    const wrongPassword = await as(null).auth.signIn({ username: "rita", password: "nope-nope" }).catch((e: TRPCError) => e.message);
    const wrongName = await as(null).auth.signIn({ username: "nobody", password: "password1" }).catch((e: TRPCError) => e.message);
    expect(wrongPassword).toBe("Wrong username or password.");
    expect(wrongName).toBe(wrongPassword);
  });
});
