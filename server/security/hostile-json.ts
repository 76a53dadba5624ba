import fc from "fast-check";

/**
 * Arbitraries for fuzzing what clients send: hostile values (huge, deep, wrong-typed, prototype
 * keys, control characters), valid inputs with one part made hostile, and the encoded request
 * text a tRPC client would send, including superjson's `meta` (which revives NaN, dates, BigInt,
 * Maps...) and text that is not JSON at all.
 */

const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"] as const;

/** `depth` arrays inside each other: what a recursive parser or validator may overflow on. */
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

export const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom("", " ", "\u0000", "\u202e\u2066evil", "\ud800", "'; DROP TABLE users; --", "../../../etc/passwd", "/etc/passwd", "<script>alert(1)</script>", "NaN", "-1", "1e999"),
  // Over every length limit the API has (100,000 characters is the largest).
  fc.constantFrom(100_001, 400_000, 2_000_000).map((n) => "x".repeat(n)),
);

export const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-1, 0, -0, 0.5, 2 ** 31, 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE),
);

/** A value of a JSON shape no procedure expects. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS).map((key) => JSON.parse(`{"${key}": {"polluted": true, "role": "admin"}}`) as unknown) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 500 }).map((depth) => JSON.parse(nested(depth)) as unknown) },
  { weight: 1, arbitrary: fc.constantFrom(10_000, 200_000).map((n) => Array.from({ length: n }, (_, i) => i + 1)) },
);

type Path = Array<string | number>;

/** Every path into a JSON value, the empty path (the whole value) included. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : value && typeof value === "object" ? Object.entries(value) : [];
  return [at, ...children.flatMap(([key, child]) => pathsOf(child, [...at, key]))];
}

function withAt(value: unknown, path: Path, change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(value);
  if (path.length === 0) return copy;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  change(parent, path.at(-1)!);
  return copy;
}

/** `valid` with one part replaced, removed, or joined by a hostile key; or replaced whole. */
export function mutatedInput(valid: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(valid);
  const innerPaths = paths.filter((p) => p.length > 0);
  const objectPaths = paths.filter((p) => {
    const v = p.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], valid);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  });
  const options: Array<fc.Arbitrary<unknown>> = [hostileValue];
  if (innerPaths.length) {
    options.push(fc.tuple(fc.constantFrom(...innerPaths), hostileValue).map(([path, hostile]) => withAt(valid, path, (parent, key) => (parent[key] = hostile))));
    options.push(fc.constantFrom(...innerPaths).map((path) => withAt(valid, path, (parent, key) => (Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key]))));
  }
  if (objectPaths.length)
    options.push(
      fc.tuple(fc.constantFrom(...objectPaths), fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 10 })), hostileValue).map(([path, key, hostile]) => {
        const text = JSON.stringify(valid);
        // Parsed from text so that "__proto__" becomes an own key, as it does in a request body.
        const copy = JSON.parse(text) as unknown;
        const target = path.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], copy) as Record<string, unknown>;
        Object.defineProperty(target, key, { value: hostile, enumerable: true, configurable: true, writable: true });
        return copy;
      }),
    );
  return fc.oneof(...options);
}

/** superjson `meta` a hostile client could attach: type annotations for values that are not there or not what they claim. */
const hostileMeta = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    { values: ["number"] },
    { values: ["bigint"] },
    { values: ["Date"] },
    { values: ["undefined"] },
    { values: ["regexp"] },
    { values: [["custom", "nope"]] },
    { values: { "__proto__.polluted": ["number"] } },
    { values: { projectId: ["number"] } },
    { values: { projectId: ["bigint"] } },
    { values: { taskId: ["Date"] } },
    { referentialEqualities: { "": ["__proto__.polluted"] } },
    { referentialEqualities: { projectId: ["__proto__"] } },
  ),
);

/** What goes in the body (mutations) or the `input` URL parameter (queries). */
export function encodedPayload(valid: unknown): fc.Arbitrary<string | undefined> {
  const input = fc.oneof({ weight: 3, arbitrary: mutatedInput(valid) }, { weight: 1, arbitrary: hostileValue });
  return fc.oneof(
    { weight: 6, arbitrary: input.map((json) => JSON.stringify({ json })) },
    { weight: 2, arbitrary: fc.tuple(input, hostileMeta).map(([json, meta]) => JSON.stringify({ json, meta })) },
    { weight: 1, arbitrary: hostileValue.map((raw) => JSON.stringify(raw)) },
    // Nesting deeper than a value here can hold (JSON.stringify would overflow first): written as text.
    { weight: 1, arbitrary: fc.constantFrom(5_000, 50_000, 500_000).map((depth) => `{"json":${nested(depth)}}`) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("{", '{"json":', "\u0000", "[]]", "undefined")) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}
