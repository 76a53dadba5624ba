import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessions } from "../../db/schema";
import { SESSION_DAYS } from "../services/auth";
import { addUser } from "../services/tasks-fixtures";
import { callTrpc, temporaryServerDb } from "./trpc-http";
import { cookieFor } from "./world.fixtures";

/** Sessions end when they expire, when their owner signs out (here or everywhere), when an admin revokes them and when the account is disabled. */
const { db } = temporaryServerDb();
const admin = addUser(db, "sess-admin", "admin");
let people = 0;
const person = (role: "annotator" | "researcher" = "annotator") => addUser(db, `sess-user-${++people}`, role);

const signedInAs = async (cookie: string) => ((await callTrpc({ path: "auth.status", type: "query" }, undefined, { cookie })).data as { user: { username: string } | null }).user?.username ?? null;
const mutate = (path: string, cookie: string, input?: unknown) => callTrpc({ path, type: "mutation" }, input, { cookie });

describe("session expiry", () => {
  it("lasts SESSION_DAYS and is refused from the moment it expires", async () => {
    const user = person();
    const cookie = cookieFor(db, user);
    const row = db.select().from(sessions).where(eq(sessions.userId, user.id)).get()!;
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan((SESSION_DAYS - 0.01) * 86_400_000);
    expect(await signedInAs(cookie)).toBe(user.username);
    db.update(sessions).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(sessions.userId, user.id)).run();
    expect(await signedInAs(cookie)).toBeNull();
    expect((await mutate("labeling.next", cookie, { projectId: 1 })).status).toBe(401);
  });

  it("sets the cookie to expire with the session, HttpOnly and SameSite", async () => {
    const { createUser } = await import("../services/auth");
    createUser(db, { username: "sess-cookie", password: "password1", role: "annotator" });
    const answer = await mutate("auth.signIn", "", { username: "sess-cookie", password: "password1" });
    const setCookie = answer.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const expires = new Date(/Expires=([^;]+)/.exec(setCookie)![1]!).getTime();
    expect(Math.abs(expires - (Date.now() + SESSION_DAYS * 86_400_000))).toBeLessThan(60_000);
  });
});

describe("revocation", () => {
  it("sign out ends this browser's session only", async () => {
    const user = person();
    const [laptop, phone] = [cookieFor(db, user), cookieFor(db, user)];
    expect((await mutate("auth.signOut", laptop)).status).toBe(200);
    expect(await signedInAs(laptop)).toBeNull();
    expect(await signedInAs(phone)).toBe(user.username);
  });

  it("sign out everywhere ends every session of the account and no one else's", async () => {
    const [user, other] = [person(), person()];
    const [laptop, phone, others] = [cookieFor(db, user), cookieFor(db, user), cookieFor(db, other)];
    const answer = await mutate("auth.signOutEverywhere", laptop);
    expect(answer.data).toEqual({ ended: 2 });
    expect(answer.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect([await signedInAs(laptop), await signedInAs(phone), await signedInAs(others)]).toEqual([null, null, other.username]);
  });

  it("an admin revokes a user's sessions; the user can sign in again afterwards", async () => {
    const user = person();
    const [laptop, phone] = [cookieFor(db, user), cookieFor(db, user)];
    const answer = await mutate("users.revokeSessions", cookieFor(db, admin), { id: user.id });
    expect(answer.data).toEqual({ ended: 2 });
    expect([await signedInAs(laptop), await signedInAs(phone)]).toEqual([null, null]);
    expect(await signedInAs(cookieFor(db, user))).toBe(user.username);
  });

  it("disabling an account ends its sessions at once, and enabling it again does not bring them back", async () => {
    const user = person();
    const cookie = cookieFor(db, user);
    const adminCookie = cookieFor(db, admin);
    await mutate("users.update", adminCookie, { id: user.id, disabled: true });
    expect(await signedInAs(cookie)).toBeNull();
    expect(db.select().from(sessions).where(eq(sessions.userId, user.id)).all()).toEqual([]);
    await mutate("users.update", adminCookie, { id: user.id, disabled: false });
    expect(await signedInAs(cookie)).toBeNull();
  });

  it("a role change applies to the next request of a live session", async () => {
    const user = person("researcher");
    const cookie = cookieFor(db, user);
    const listProjects = () => callTrpc({ path: "projects.list", type: "query" }, undefined, { cookie });
    expect((await listProjects()).status).toBe(200);
    await mutate("users.update", cookieFor(db, admin), { id: user.id, role: "annotator" });
    expect((await listProjects()).status).toBe(403);
  });

  it("a forged or unknown session token is no session", async () => {
    const user = person();
    const real = cookieFor(db, user);
    expect(await signedInAs(`${real}x`)).toBeNull();
    expect(await signedInAs("preflab_session=")).toBeNull();
    // The database keeps only sha256(token): the stored value itself is not a token.
    const stored = db.select().from(sessions).where(eq(sessions.userId, user.id)).get()!.tokenHash;
    expect(await signedInAs(`preflab_session=${stored}`)).toBeNull();
  });
});
