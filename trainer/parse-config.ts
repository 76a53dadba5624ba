import { z } from "zod";

/** Parses a run's stored config; a bad one fails the run with every bad field named, readably. */
export function parseConfig<T>(kind: string, schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new Error(`invalid ${kind} config: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
