import type { RunKind } from "../../db/enums";

/** The method each cold-start run kind implements, as papers name it. */
const METHOD: Partial<Record<RunKind, string>> = { drex: "D-REX", trex: "T-REX" };

/**
 * How synthetic judgements are named wherever a count is shown, always apart from the human
 * counts: "312 synthetic (D-REX), 40 synthetic (T-REX)"; null when there are none.
 */
export function syntheticLabel(counts: ReadonlyArray<{ kind: RunKind; judgements: number }> | undefined): string | null {
  if (!counts?.length) return null;
  return counts.map((c) => `${c.judgements.toLocaleString()} synthetic (${METHOD[c.kind] ?? c.kind})`).join(", ");
}
