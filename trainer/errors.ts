/** A problem with what the user asked for (e.g. a prompt longer than the context); shown as is. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}
