"use client";
import { Suspense } from "react";
import { RequireRole } from "../components/require-role";
import { RedirectToWorkspace } from "../workspace/redirect-to-workspace";

/** Evaluations live in each project's workspace now; old links and bookmarks land there. */
export default function Page() {
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <RedirectToWorkspace section="evaluation" />
      </Suspense>
    </RequireRole>
  );
}
