// The policy versions the playground can load in the browser: every version of the project's
// lineage with a checkpoint (hence an ONNX export), and the built-in policy even before any run.
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import type { Db } from "../../db/client";
import { policyLabel, policyLineage } from "./lineage";

export interface PlaygroundPolicy {
  id: number;
  label: string;
}

/** Oldest first, the built-in policy always among them. */
export function playgroundPolicies(db: Db, projectId: number): PlaygroundPolicy[] {
  const builtin = ensureBuiltinPolicy(db);
  const versions = policyLineage(db, projectId).filter((p) => p.hasCheckpoint).map(({ id, label }) => ({ id, label }));
  return versions.some((v) => v.id === builtin.id) ? versions : [{ id: builtin.id, label: policyLabel(builtin) }, ...versions];
}
