import { z } from "zod";
import { availableRunKinds, runKindSpec } from "../../trainer/launcher";

type JsonSchema = { type?: string | string[]; enum?: unknown[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; additionalProperties?: JsonSchema | boolean } & Partial<Record<"anyOf" | "oneOf" | "allOf", JsonSchema[]>>;

function stringFields(schema: JsonSchema, at: string, out: Set<string>): void {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes("string") && !schema.enum) out.add(at);
  for (const key of ["anyOf", "oneOf", "allOf"] as const) for (const option of schema[key] ?? []) stringFields(option, at, out);
  for (const [name, child] of Object.entries(schema.properties ?? {})) stringFields(child, at ? `${at}.${name}` : name, out);
  if (schema.items) stringFields(schema.items, `${at}[]`, out);
  if (typeof schema.additionalProperties === "object") stringFields(schema.additionalProperties, `${at}.*`, out);
}

/**
 * Every free-text field of every run kind's config ("kind field.path", arrays as `[]`): the places
 * where a config sent over the API could name a file. Enums are not free text.
 */
export function runConfigTextFields(): string[] {
  const out = new Set<string>();
  for (const kind of availableRunKinds()) {
    const fields = new Set<string>();
    stringFields(z.toJSONSchema(runKindSpec(kind)!.schema, { io: "input", unrepresentable: "any" }) as JsonSchema, "", fields);
    for (const field of fields) out.add(`${kind} ${field}`);
  }
  return [...out].sort();
}

/** The config fields of `kind` that hold server paths and are accepted only from the CLI. */
export const cliOnlyFields = (kind: Parameters<typeof runKindSpec>[0]) => runKindSpec(kind)?.cliOnlyFields ?? [];

/** `{ a: { b: value } }` for "a.b". */
export function configWith(dotted: string, value: unknown): Record<string, unknown> {
  return dotted.split(".").reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value as Record<string, unknown>);
}
