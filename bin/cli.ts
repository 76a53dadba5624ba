import { Command } from "commander";
import { registerCommands } from "./commands/index";

/** Builds the `preflab` program; each command group lives in its own file under bin/commands. */
export function buildProgram(): Command {
  const program = new Command("preflab")
    .description("preflab: human-preference data and the training that uses it")
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `preflab export ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version") return;
    if (code?.startsWith("commander.")) {
      process.exitCode = 2;
      return;
    }
    // A user-facing error: print the message, never a stack trace (set DEBUG=preflab for one).
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`preflab: ${message}\n`);
    if (process.env.DEBUG?.includes("preflab") && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
