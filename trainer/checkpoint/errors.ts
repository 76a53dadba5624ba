/** A problem with a checkpoint directory, naming the file and what is wrong (shown to users as is). */
export class CheckpointError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "CheckpointError";
  }
}
