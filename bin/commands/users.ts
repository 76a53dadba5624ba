import type { Command } from "commander";
import { openDatabase } from "../../db/client";
import { USER_ROLES, type UserRole } from "../../db/enums";
import { createUser } from "../../server/services/auth";

/** `preflab user add`: accounts from the terminal, e.g. the first admin on a headless server. */
export function register(program: Command): void {
  const user = program.command("user").description("manage accounts");
  user
    .command("add")
    .description("create an account (the password comes from --password or PREFLAB_PASSWORD)")
    .argument("<username>")
    .option("--role <role>", USER_ROLES.join(" | "), "annotator")
    .option("--password <password>", "initial password (at least 8 characters)")
    .action((username: string, opts: { role: string; password?: string }) => {
      const password = opts.password ?? process.env.PREFLAB_PASSWORD ?? "";
      if (!USER_ROLES.includes(opts.role as UserRole)) throw new Error(`--role must be one of ${USER_ROLES.join(", ")}`);
      if (password.length < 8) throw new Error("the password needs at least 8 characters (--password or PREFLAB_PASSWORD)");
      const created = createUser(openDatabase(), { username, password, role: opts.role as UserRole });
      process.stdout.write(`created ${created.role} "${created.username}" (pseudonym ${created.pseudonym})\n`);
    });
}
