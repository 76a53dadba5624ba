/** A domain error from a service; server/trpc.ts maps it onto a tRPC error, message intact. */
export class ServiceError extends Error {
  constructor(
    public readonly code: "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST" | "FORBIDDEN" | "PRECONDITION_FAILED",
    message: string,
  ) {
    super(message);
  }
}
