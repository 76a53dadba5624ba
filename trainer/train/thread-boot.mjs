// Worker-thread entry shim: registers tsx (a --import flag does not reach worker threads) and
// loads the TypeScript module named in workerData.entry, as bin/preflab.mjs does for the CLI.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
