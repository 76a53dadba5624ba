import { describe, expect, it } from "vitest";
import { createTestDb } from "../../../db/testing";
import { createCaller } from "../../../server/root";
import { createUser } from "../../../server/services/auth";
import { createInnerContext } from "../../../server/trpc";
import { runKindSpec } from "../../../trainer/registry";
import { fieldText, groupDefaults, parseFieldText } from "./field-text";
import { fieldsOf, valueAt, withValue, type FieldSpec, type JsonSchema } from "./schema-fields";
import { configValidator } from "./validate-config";

/** What the launch form receives: the kinds procedure's answer, as the browser gets it. */
async function servedKinds() {
  const { db } = createTestDb();
  const researcher = createUser(db, { username: "rita", password: "password1", role: "researcher" });
  return createCaller(createInnerContext({ db, user: researcher })).runs.kinds();
}

function allFields(fields: FieldSpec[]): FieldSpec[] {
  return fields.flatMap((f) => [f, ...(f.control.kind === "object" ? allFields(f.control.fields) : [])]);
}

/** Values a person could type into a field that the schema may refuse: out of range, wrong type, not an option. */
function candidates(f: FieldSpec): unknown[] {
  const c = f.control;
  switch (c.kind) {
    case "number":
      return [0, -1, 1.5, 1e9, "abc", ...(c.min !== undefined ? [c.min - 1, c.min] : []), ...(c.max !== undefined ? [c.max, c.max + 1] : [])];
    case "boolean":
      return [true, "yes"];
    case "enum":
      return [c.options[0], "not-an-option"];
    case "list":
      return [[], [1, 2, 3], [-1, "x"], [0.5]];
    case "enum-or-list":
      return [c.options[0], [1, 2], [], "nope"];
    case "choices":
      return [[], [c.options[0]], ["not-an-option"]];
    case "object":
      return [{}, "x"];
    default:
      return ["x", 1];
  }
}

type Issue = { path: PropertyKey[]; message: string };
const described = (issues: Issue[]) => (issues.length === 0 ? "accepted" : `${issues[0]!.path.join(".")}: ${issues[0]!.message}`);
const firstIssue = (r: { success: boolean; error?: { issues: Issue[] } }) => described(r.success ? [] : r.error!.issues);

describe("the launch form's fields", () => {
  it("every field of every kind gets a control of its own (never raw JSON), its description and its default", async () => {
    for (const kind of await servedKinds()) {
      const fields = allFields(fieldsOf(kind.jsonSchema as JsonSchema));
      expect(fields.length, kind.kind).toBeGreaterThan(3);
      for (const f of fields) {
        expect(f.control.kind, `${kind.kind}.${f.path.join(".")}`).not.toBe("json");
        if (f.path.length === 1) expect(f.description, `${kind.kind}.${f.name}`).toBeTruthy();
      }
    }
  });

  it("DPO reads as the schema says: nullable ints, a nullable LoRA group, the evaluation group, the loss options", async () => {
    const dpo = (await servedKinds()).find((k) => k.kind === "dpo")!;
    const fields = fieldsOf(dpo.jsonSchema as JsonSchema);
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get("beta")).toMatchObject({ default: 0.1, nullable: false, control: { kind: "number", integer: false, max: 100 } });
    expect(byName.get("maxSteps")).toMatchObject({ default: null, nullable: true, control: { kind: "number", integer: true } });
    expect(byName.get("lossType")!.control).toEqual({ kind: "enum", options: ["sigmoid", "hinge", "ipo", "robust", "simpo", "orpo", "listwise"] });
    expect(byName.get("lora")).toMatchObject({ nullable: true, default: null, control: { kind: "object" } });
    const lora = byName.get("lora")!.control as Extract<FieldSpec["control"], { kind: "object" }>;
    expect(groupDefaults(lora.fields)).toEqual({ rank: 8, alpha: 16, targets: ["attention", "mlp"] });
    expect(byName.get("evaluation")).toMatchObject({ nullable: false, default: { prompts: 16, maxNewTokens: 32, temperature: 1 } });
    const sampleAfter = byName.get("sampleAfter")!.control as Extract<FieldSpec["control"], { kind: "object" }>;
    expect(sampleAfter.fields.find((f) => f.name === "prompts")!.control).toEqual({ kind: "enum-or-list", options: ["held-out", "all"], item: "integer" });
  });

  it("validating in the browser (zod rebuilt from the served JSON Schema) refuses exactly what the server refuses, with the same message on the same field", async () => {
    for (const kind of await servedKinds()) {
      const client = configValidator(kind.jsonSchema);
      const server = runKindSpec(kind.kind)!.schema;
      expect(described(client(kind.defaults)), kind.kind).toBe("accepted");
      const fields = allFields(fieldsOf(kind.jsonSchema as JsonSchema));
      const fieldPaths = new Set(fields.map((f) => f.path.join(".")));
      for (const f of fields) {
        // Inside a nullable group the group is switched on first (at its defaults).
        const parent = f.path.length > 1 ? valueAt(kind.defaults, f.path.slice(0, -1)) : undefined;
        const base = f.path.length > 1 && parent === null ? withValue(kind.defaults, f.path.slice(0, -1), {}) : kind.defaults;
        for (const value of candidates(f)) {
          const config = withValue(base, f.path, value);
          const name = `${kind.kind}.${f.path.join(".")} = ${JSON.stringify(value)}`;
          const onServer = server.safeParse(config);
          // Rules across fields (zod refinements) have no JSON Schema form: the server alone applies
          // them, and its issue still names a field of the form, so the message lands beside it.
          if (!onServer.success && onServer.error.issues[0]!.code === "custom") {
            expect(fieldPaths.has(onServer.error.issues[0]!.path.join(".")), name).toBe(true);
            continue;
          }
          expect(described(client(config)), name).toBe(firstIssue(onServer));
        }
      }
    }
  });

  it("each default survives being shown in its box and read back", async () => {
    for (const kind of await servedKinds()) {
      for (const f of allFields(fieldsOf(kind.jsonSchema as JsonSchema))) {
        if (f.control.kind === "object" || f.control.kind === "boolean" || f.control.kind === "choices" || f.default === undefined) continue;
        expect(parseFieldText(f, fieldText(f, f.default)), `${kind.kind}.${f.path.join(".")}`).toEqual(f.default);
      }
    }
  });

  it("typed text becomes the value, and text that is no value stays as typed for validation to name", () => {
    const number = { nullable: false, control: { kind: "number", integer: false } } as const;
    expect(parseFieldText(number, "1e-4")).toBe(0.0001);
    expect(parseFieldText(number, "")).toBeUndefined();
    expect(parseFieldText(number, "fast")).toBe("fast");
    expect(parseFieldText({ ...number, nullable: true }, " ")).toBeNull();
    const ids: Pick<FieldSpec, "nullable" | "control"> = { nullable: false, control: { kind: "enum-or-list", options: ["held-out", "all"], item: "integer" } };
    expect(parseFieldText(ids, "all")).toBe("all");
    expect(parseFieldText(ids, "3, 5 8")).toEqual([3, 5, 8]);
    expect(parseFieldText(ids, "3, x")).toEqual([3, "x"]);
    expect(parseFieldText({ nullable: false, control: { kind: "list", item: "string" } }, "one\n\ntwo")).toEqual(["one", "two"]);
  });
});
