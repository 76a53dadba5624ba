// The launch form's check before queueing: zod rebuilt from the JSON Schema the server serves
// (z.fromJSONSchema), so the browser applies the same bounds, types and options and words its
// messages as the server's zod does. The one difference is reworded here: the server's
// `.nullable()` reports what is wrong with the value ("expected int"), where the rebuilt
// `anyOf [X, null]` would only say "Invalid input".
import { z } from "zod";
import type { JsonSchema } from "./schema-fields";

export interface ConfigIssue {
  path: Array<string | number>;
  message: string;
}

type RawIssue = { code?: string; path: PropertyKey[]; message: string; errors?: RawIssue[][] };

const toPath = (path: PropertyKey[]) => path.map((p) => (typeof p === "symbol" ? String(p) : p));
const saysNull = (alternative: RawIssue[]) => alternative.length === 1 && /expected null/.test(alternative[0]!.message);

/** A nullable field's union failure as the non-null side's own issue; everything else as zod gave it. */
function readable(issue: RawIssue): ConfigIssue {
  if (issue.code === "invalid_union" && issue.errors?.length === 2 && issue.errors.some(saysNull)) {
    const inner = issue.errors.find((alternative) => !saysNull(alternative))?.[0];
    if (inner) return readable({ ...inner, path: [...issue.path, ...inner.path] }); // a nullable group's field may be nullable too
  }
  return { path: toPath(issue.path), message: issue.message };
}

/** Validates configs of one kind; returns the issues (empty when the config would be queued). */
export function configValidator(jsonSchema: unknown): (config: unknown) => ConfigIssue[] {
  const schema = z.fromJSONSchema(jsonSchema as JsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
  return (config) => {
    const result = schema.safeParse(config);
    return result.success ? [] : (result.error.issues as RawIssue[]).map(readable);
  };
}
