import type { Command } from "commander";

/** Registers the `leaderboard` command group (filled in by the issue that owns it). */
export function register(program: Command): void {
  void program;
}
