"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc";

/** Done / remaining from the server (the same numbers researchers see), refreshed after each action. */
export function ProgressSummary({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const progress = useQuery(trpc.labeling.myProgress.queryOptions({ projectId }, { staleTime: 60_000 }));
  const p = progress.data;
  if (!p) return null;
  const remaining = `${p.tasksRemaining}${p.tasksRemainingCapped ? "+" : ""}`;
  return (
    <p className="text-sm text-slate-600" data-testid="progress">
      <span className="font-medium text-slate-900" data-testid="done-today">
        {p.doneToday}
      </span>{" "}
      done today · {p.doneTotal} in this project · <span data-testid="remaining">{remaining}</span> more in the queue
      {p.skipped > 0 ? ` · ${p.skipped} skipped` : ""}
    </p>
  );
}
