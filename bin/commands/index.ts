import type { Command } from "commander";
import * as bench from "./bench";
import * as data from "./data";
import * as leaderboard from "./leaderboard";
import * as demo from "./demo";
import * as model from "./model";
import * as policy from "./policy";
import * as reward from "./reward";
import * as server from "./server";
import * as simulate from "./simulate";
import * as train from "./train";
import * as users from "./users";

/**
 * Every command group registers itself here, one file per group under bin/commands:
 * server (setup/serve), users, data (import/export), model (logprobs/sample/pretrain), policy (add-endpoint), train, reward, leaderboard,
 * simulate-annotator, demo (loop), bench (train).
 */
const groups = [server, users, data, model, policy, train, reward, leaderboard, simulate, demo, bench];

export function registerCommands(program: Command): void {
  for (const group of groups) group.register(program);
}
