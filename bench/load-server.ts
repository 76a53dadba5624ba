// The server side of the load bench, in its own process: preflab's real API route handlers
// (sim/api-server.ts) on the database and port given as arguments. Prints one line, the URL,
// once it listens; exits on SIGTERM.
import { startApiServer } from "../sim/api-server";

const [dbFile, port] = process.argv.slice(2);
if (!dbFile || !port) throw new Error("usage: load-server.ts DB_FILE PORT");
const server = await startApiServer({ dbFile, port: Number(port) });
process.stdout.write(`${server.url}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
