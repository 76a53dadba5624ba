import type { Command } from "commander";

/**
 * Every command group registers itself here: one file per group under bin/commands
 * (data.ts: import/export; model.ts: logprobs/sample/pretrain; train.ts; ...).
 */
type Register = (program: Command) => void;

const groups: Register[] = [];

export function registerCommands(program: Command): void {
  for (const register of groups) register(program);
}
