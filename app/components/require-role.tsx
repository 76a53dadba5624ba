"use client";
import { useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import type { UserRole } from "../../db/enums";
import { useSession } from "./use-session";

/**
 * Sends signed-out visitors to sign-in and shows a clear refusal to the wrong role. The server
 * checks roles on every procedure anyway; this only spares people a page of errors.
 */
export function RequireRole({ roles, children }: { roles: readonly UserRole[]; children: ReactNode }) {
  const { user, loading } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (!loading && !user) router.replace("/signin");
  }, [loading, user, router]);
  if (loading || !user) return <p className="text-slate-500">Loading…</p>;
  if (!roles.includes(user.role))
    return (
      <p role="alert" className="rounded border border-amber-300 bg-amber-50 p-4 text-amber-900">
        This page is for {roles.join(" or ")} accounts; you are signed in as {user.role}.
      </p>
    );
  return <>{children}</>;
}
