// The API server as its own process, for the fault tests: sim/api-server.ts serves the real route
// handlers (tRPC, upload, download) over node:http on the database named by PREFLAB_DB, exactly the
// HTTP path a browser takes, and the test can SIGKILL it, restart it, or start it as another user.
// It prints `listening <url>` once it accepts requests; `argv[2]`, when given, is the port (a
// restart on the same port lets the test's clients keep their URL and session). One stdin command exists for the full-disk
// test where no small file system can be mounted: `max-pages N` caps the server's own connection
// at N database pages (SQLite then fails writes with SQLITE_FULL, the code a full disk gives),
// answered by `max-pages <cap now>`.
import readline from "node:readline";
import { startApiServer } from "../../sim/api-server";
import { getServerDb } from "../db";

// No dbFile: the handlers open PREFLAB_DB at the first request, as the Next.js server does, so a
// database that cannot be opened is a request's error, not a server that fails to start.
const server = await startApiServer({ port: Number(process.argv[2] ?? 0) });
process.stdout.write(`listening ${server.url}\n`);

const commands = readline.createInterface({ input: process.stdin });
// The test process gone (finished or crashed) closes our stdin: never outlive it.
commands.on("close", () => process.exit(0));
commands.on("line", (line) => {
  const cap = /^max-pages (\d+)$/.exec(line.trim());
  if (!cap) return;
  const now = getServerDb().$client.pragma(`max_page_count = ${cap[1]}`, { simple: true });
  process.stdout.write(`max-pages ${String(now)}\n`);
});
