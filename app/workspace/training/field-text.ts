// What a text box shows for a config value, and the value a typed text stands for. Text that is
// not a valid value is passed on as typed (a string where a number belongs): validation then
// refuses it with the schema's own message, instead of the form silently dropping it.
import type { Control, FieldSpec } from "./schema-fields";

const asNumber = (token: string): number | string => {
  const n = Number(token);
  return token.trim() !== "" && Number.isFinite(n) ? n : token;
};

function listItems(text: string, item: "integer" | "number" | "string"): unknown[] {
  if (item === "string") return text.split("\n").filter((line) => line.trim() !== "");
  return text.split(/[\s,]+/).filter(Boolean).map(asNumber);
}

/** The value for `text` typed into `field`'s box; undefined leaves the key out (its default applies). */
export function parseFieldText(field: Pick<FieldSpec, "nullable" | "control">, text: string): unknown {
  const c: Control = field.control;
  const empty = text.trim() === "";
  if (empty && field.nullable) return null;
  switch (c.kind) {
    case "number":
      return empty ? undefined : asNumber(text);
    case "string":
      return text;
    case "list":
      return listItems(text, c.item);
    case "enum-or-list":
      return c.options.includes(text.trim()) ? text.trim() : listItems(text, c.item);
    case "json":
      if (empty) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** The text a box shows for a value (empty for null or absent). */
export function fieldText(field: Pick<FieldSpec, "control">, value: unknown): string {
  if (value === null || value === undefined) return "";
  const c = field.control;
  if (Array.isArray(value) && (c.kind === "list" || c.kind === "enum-or-list")) return value.join(c.kind === "list" && c.item === "string" ? "\n" : ", ");
  if (c.kind === "json" || typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The value a group gets when switched on: each of its fields at its default. */
export function groupDefaults(fields: readonly FieldSpec[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((f) => [f.name, f.default === undefined && f.control.kind === "object" && !f.nullable ? groupDefaults(f.control.fields) : f.default]),
  );
}
