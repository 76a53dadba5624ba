/** One bad field of a document a service validated (a run config): where it is, and why. */
export interface FieldIssue {
  path: Array<string | number>;
  message: string;
}

/**
 * A domain error from a service; server/trpc.ts maps it onto a tRPC error, message intact, and
 * hands `issues` to the client so a form can show each message beside its field.
 */
export class ServiceError extends Error {
  constructor(
    public readonly code: "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST" | "FORBIDDEN" | "PRECONDITION_FAILED",
    message: string,
    public readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}
