// `--model DIR|ID` (and `--policy`): the person running the CLI names a checkpoint directory, or a
// policy by the id the dashboard shows. One resolver, so every command accepts both the same way.
import fs from "node:fs";
import { eq } from "drizzle-orm";
import { databasePathFromEnv, openDatabase } from "../../db/client";
import { policies } from "../../db/schema";

/**
 * A checkpoint directory for `arg`: the argument itself unless it is digits naming no directory,
 * then the `path` of that policy (database from PREFLAB_DB). Anything else is returned as is, so
 * the checkpoint loader reports a missing directory in its own words.
 */
export function resolveModelArg(arg: string): string {
  if (!/^\d+$/.test(arg) || fs.existsSync(arg)) return arg;
  const file = databasePathFromEnv();
  // Opening would create an empty database: say what is missing instead.
  if (!fs.existsSync(file)) throw new Error(`no directory "${arg}", and no database at ${file} to look up policy ${arg} in (set PREFLAB_DB)`);
  const db = openDatabase(file);
  try {
    const policy = db.select().from(policies).where(eq(policies.id, Number(arg))).get();
    if (!policy) throw new Error(`no directory "${arg}" and no policy with id ${arg} in ${file}`);
    if (!policy.path) {
      const why = policy.endpoint ? `it is served from ${policy.endpoint}` : `its kind is "${policy.kind}"`;
      throw new Error(`policy ${arg} (${policy.name} v${policy.version}) has no checkpoint directory: ${why}`);
    }
    return policy.path;
  } finally {
    db.$client.close();
  }
}
