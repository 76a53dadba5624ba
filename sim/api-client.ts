// A minimal tRPC-over-HTTP client speaking exactly what the browser's client sends (POST for
// mutations, GET for queries, superjson's `{"json": ...}` envelope, `application/json` so the
// server's cross-site policy lets a non-browser client through), holding the session cookie the
// server sets at sign-in. It knows a base URL and nothing else: no database, no server imports.

export class ApiError extends Error {
  constructor(readonly procedure: string, readonly status: number, message: string) {
    super(`${procedure}: HTTP ${status}: ${message}`);
  }
}

interface Envelope {
  result?: { data?: { json?: unknown } };
  error?: { json?: { message?: string } };
}

export class TrpcHttpClient {
  private cookie = "";

  constructor(readonly baseUrl: string) {}

  /** Signs in with a password; later calls carry the session cookie the server set. */
  async signIn(username: string, password: string): Promise<{ id: number; username: string; role: string }> {
    const user = await this.mutation<{ id: number; username: string; role: string }>("auth.signIn", { username, password });
    if (!this.cookie) throw new ApiError("auth.signIn", 200, "the server set no session cookie");
    return user;
  }

  mutation<T>(procedure: string, input: unknown): Promise<T> {
    return this.call<T>(procedure, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: input }),
    });
  }

  query<T>(procedure: string, input?: unknown): Promise<T> {
    const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    return this.call<T>(`${procedure}${search}`, { method: "GET" });
  }

  private async call<T>(pathAndQuery: string, init: RequestInit): Promise<T> {
    const procedure = pathAndQuery.split("?")[0];
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set("cookie", this.cookie);
    const res = await fetch(`${this.baseUrl.replace(/\/$/, "")}/api/trpc/${pathAndQuery}`, { ...init, headers });
    this.keepCookies(res.headers.getSetCookie());
    const text = await res.text();
    let body: Envelope;
    try {
      body = JSON.parse(text) as Envelope;
    } catch {
      throw new ApiError(procedure, res.status, text.slice(0, 200));
    }
    if (!res.ok || body.error) throw new ApiError(procedure, res.status, body.error?.json?.message ?? (body as { error?: string }).error?.toString() ?? text.slice(0, 200));
    return body.result?.data?.json as T;
  }

  /** Keeps name=value of each Set-Cookie (attributes dropped; an expired cookie clears it). */
  private keepCookies(setCookies: string[]): void {
    const jar = new Map(this.cookie ? this.cookie.split("; ").map((c) => [c.split("=")[0], c] as const) : []);
    for (const header of setCookies) {
      const pair = header.split(";")[0].trim();
      const name = pair.split("=")[0];
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(header) || pair.endsWith("=")) jar.delete(name);
      else jar.set(name, pair);
    }
    this.cookie = [...jar.values()].join("; ");
  }
}
