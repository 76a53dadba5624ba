import type { AnyProcedure } from "@trpc/server";
import { USER_ROLES, type UserRole } from "../../db/enums";
import { appRouter } from "../root";
import type { ProcedureAccess, ProcedureMeta } from "../trpc";

/** One procedure of the app router as the security tests see it: read from the router itself. */
export interface RouterProcedure {
  path: string;
  type: "query" | "mutation" | "subscription";
  /** What the procedure declares through its builder (`meta.access`); undefined when it declares nothing. */
  access: ProcedureAccess | undefined;
}

/** Every procedure of `appRouter`, sorted by path, so a procedure added tomorrow is tested tomorrow. */
export function routerProcedures(): RouterProcedure[] {
  // At run time `_def.procedures` is flat, keyed by dotted path ("labeling.submit"); its static type is the nested record.
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  return Object.entries(procedures)
    .map(([path, procedure]) => ({ path, type: procedure._def.type, access: (procedure._def.meta as ProcedureMeta | undefined)?.access }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

export const ACCESS_LEVELS: readonly ProcedureAccess[] = ["public", ...USER_ROLES];

/** Who calls in the matrix: nobody signed in, then each role. */
export type Caller = "anonymous" | UserRole;
export const CALLERS: readonly Caller[] = ["anonymous", ...USER_ROLES];

/** The rule the matrix holds every procedure to: public is open; roles are ordered annotator < researcher < admin. */
export function mayCall(access: ProcedureAccess, caller: Caller): boolean {
  if (access === "public") return true;
  if (caller === "anonymous") return false;
  return USER_ROLES.indexOf(caller) >= USER_ROLES.indexOf(access);
}
