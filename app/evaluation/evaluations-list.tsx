"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { EvaluationCard } from "./evaluation-card";

const ACTIVE = new Set(["queued", "running"]);

/** A project's evaluations, newest first (or one of them); polled while a run works or human judgements may arrive. */
export function EvaluationsList({ projectId, runId }: { projectId: number; runId?: number }) {
  const trpc = useTRPC();
  const list = useQuery({
    ...trpc.evaluations.list.queryOptions({ projectId }),
    refetchInterval: (q) => (q.state.data?.some((e) => ACTIVE.has(e.run.status) || e.rows.some((r) => r.humanRun)) ? 3000 : false),
  });
  if (list.isPending) return <p className="text-slate-500">Loading evaluations…</p>;
  const shown = (list.data ?? []).filter((e) => runId === undefined || e.run.id === runId);
  if (runId !== undefined && shown.length === 0) return <p className="text-sm text-slate-500">No evaluation #{runId} in this project.</p>;
  if (!shown.length) return <p className="text-sm text-slate-500">No evaluations in this project yet: pick policies above and press Evaluate.</p>;
  return (
    <div className="space-y-6">
      {shown.map((e) => (
        <EvaluationCard key={e.run.id} evaluation={e} />
      ))}
    </div>
  );
}
