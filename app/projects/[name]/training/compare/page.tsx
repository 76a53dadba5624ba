"use client";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { RunOverlay } from "../../../../workspace/training/run-overlay";

/** /projects/[name]/training/compare?runs=3,5: a shareable overlay of those runs. */
function Overlay() {
  const params = useSearchParams();
  const runIds = (params.get("runs") ?? "").split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return <RunOverlay runIds={[...new Set(runIds)]} />;
}

export default function ComparePage() {
  return (
    <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
      <Overlay />
    </Suspense>
  );
}
