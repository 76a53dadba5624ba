"use client";
import { RequireRole } from "../components/require-role";

export default function LabelPage() {
  return (
    <RequireRole roles={["annotator", "researcher", "admin"]}>
      <h1 className="text-2xl font-semibold">Label</h1>
      <p className="mt-2 text-slate-600">The labeling queue opens here.</p>
    </RequireRole>
  );
}
