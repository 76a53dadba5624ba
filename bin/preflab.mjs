#!/usr/bin/env node
// The `preflab` CLI entry: registers tsx so the TypeScript sources run as they are, then hands
// over to bin/cli.ts. Keeping one tiny .mjs shim means `npx preflab` needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
await main(process.argv);
