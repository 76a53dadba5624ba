// The launch form's fields, read from a run kind's JSON Schema (zod's toJSONSchema output, which
// runs.kinds serves): one field per property, with its one-line description and default, and the
// control that edits it. Nested objects become groups; `anyOf [X, null]` makes X nullable. Pure
// data: the form renders it, the tests hold it to every kind of the registry.

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** How a value is edited: a number box, a checkbox, a select, a list typed with commas, a group of fields, ... */
export type Control =
  | { kind: "number"; integer: boolean; min?: number; max?: number }
  | { kind: "boolean" }
  | { kind: "enum"; options: string[] }
  | { kind: "string" }
  /** Several values typed in one box (numbers separated by commas, texts one per line). */
  | { kind: "list"; item: "integer" | "number" | "string"; length?: number }
  /** Several of a fixed set of options (checkboxes). */
  | { kind: "choices"; options: string[] }
  /** One of a few words, or a list of ids (e.g. prompts: "held-out", "all" or ids). */
  | { kind: "enum-or-list"; options: string[]; item: "integer" | "number" }
  | { kind: "object"; fields: FieldSpec[] }
  /** Anything else: edited as JSON. */
  | { kind: "json" };

export interface FieldSpec {
  /** Path inside the config, e.g. ["evaluation", "prompts"]. */
  path: string[];
  name: string;
  description: string;
  default: unknown;
  /** Null is a valid value (anyOf [X, null]); for groups, null switches the whole group off. */
  nullable: boolean;
  control: Control;
}

const isNull = (s: JsonSchema) => s.type === "null";

function itemKind(s: JsonSchema | undefined): "integer" | "number" | "string" | null {
  if (!s) return null;
  if (s.type === "integer" || s.type === "number" || s.type === "string") return s.type;
  return null;
}

/** The bounds a number input can state (the exclusive ones are left to validation, which names them). */
function numberControl(s: JsonSchema, integer: boolean): Control {
  return { kind: "number", integer, min: s.minimum, max: s.maximum };
}

function controlOf(s: JsonSchema, path: string[]): Control {
  if (s.anyOf) {
    const enumPart = s.anyOf.find((a) => a.enum);
    const listPart = s.anyOf.find((a) => a.type === "array");
    const item = itemKind(listPart?.items || undefined);
    if (s.anyOf.length === 2 && enumPart && (item === "integer" || item === "number")) return { kind: "enum-or-list", options: enumPart.enum!.map(String), item };
    return { kind: "json" };
  }
  if (s.enum) return { kind: "enum", options: s.enum.map(String) };
  switch (s.type) {
    case "integer":
      return numberControl(s, true);
    case "number":
      return numberControl(s, false);
    case "boolean":
      return { kind: "boolean" };
    case "string":
      return { kind: "string" };
    case "object":
      return { kind: "object", fields: fieldsOf(s, path) };
    case "array": {
      if (s.prefixItems?.every((p) => itemKind(p) === "number" || itemKind(p) === "integer"))
        return { kind: "list", item: s.prefixItems.every((p) => p.type === "integer") ? "integer" : "number", length: s.prefixItems.length };
      const items = s.items || undefined;
      if (items?.enum) return { kind: "choices", options: items.enum.map(String) };
      const item = itemKind(items);
      return item ? { kind: "list", item } : { kind: "json" };
    }
    default:
      return { kind: "json" };
  }
}

/** The non-null side of `anyOf [X, null]`, carrying the outer description and default. */
function unwrapNullable(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const options = s.anyOf ?? [];
  const rest = options.filter((o) => !isNull(o));
  if (options.length > 1 && rest.length === 1 && rest.length < options.length) {
    const { anyOf: _, ...outer } = s;
    return { schema: { ...rest[0]!, ...outer, description: s.description ?? rest[0]!.description, default: s.default }, nullable: true };
  }
  return { schema: s, nullable: false };
}

/** One field per property of an object schema, in the schema's order. */
export function fieldsOf(schema: JsonSchema, parent: string[] = []): FieldSpec[] {
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => {
    const { schema: s, nullable } = unwrapNullable(raw);
    const path = [...parent, name];
    return { path, name, description: s.description ?? "", default: s.default, nullable, control: controlOf(s, path) };
  });
}

/** The field's value inside a config (undefined when a group on the way is off or absent). */
export function valueAt(config: unknown, path: readonly string[]): unknown {
  let at = config;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A copy of `config` with the value at `path` replaced (undefined removes the key, so the default applies). */
export function withValue(config: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return config;
  const copy = { ...config };
  if (rest.length === 0) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  }
  const inner = typeof copy[key] === "object" && copy[key] !== null ? (copy[key] as Record<string, unknown>) : {};
  copy[key] = withValue(inner, rest, value);
  return copy;
}

/** "evaluation.prompts": the key a field's message is filed under. */
export const pathKey = (path: ReadonlyArray<string | number>) => path.join(".");

/** A default as people read it: "null" for none, lists with commas, groups as JSON. */
export function formatDefault(value: unknown): string {
  if (value === undefined) return "none";
  if (value === null) return "null";
  if (Array.isArray(value) && value.every((v) => typeof v !== "object")) return value.length ? value.join(", ") : "empty";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
