"use client";
import { Suspense } from "react";
import { RequireRole } from "../components/require-role";
import { RedirectToWorkspace } from "../workspace/redirect-to-workspace";

/** The one-page dashboard became a workspace per project: /dashboard?project=ID opens that project's, /dashboard the list. */
export default function DashboardPage() {
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <RedirectToWorkspace section="" />
      </Suspense>
    </RequireRole>
  );
}
