// Test helper: a checkpoint problem must be a CheckpointError naming the file at fault.
import { expect } from "vitest";
import { CheckpointError } from "./errors";

/** Runs `read` and checks it throws a CheckpointError about `file` whose message matches `problem`. */
export function expectCheckpointError(read: () => unknown, file: string, problem: RegExp): void {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).file).toBe(file);
    expect((error as Error).message).toMatch(problem);
    return;
  }
  throw new Error("expected a CheckpointError");
}
