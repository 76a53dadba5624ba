"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { RunStatusBadge } from "../../runs/run-status";
import { Button, Card, ErrorMessage } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { clonePath, comparePath, runPath } from "../paths";
import { useWorkspace } from "../workspace-context";

const ACTIVE = new Set(["queued", "running"]);
const MAX_COMPARED = 8;

/**
 * The project's runs, newest first: the queue (queued and running) on top of the history, each
 * with cancel, resume and clone; tick two or more to overlay their metrics on one chart per metric.
 */
export function RunsQueue() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const project = useWorkspace();
  const runs = useQuery({
    ...trpc.runs.list.queryOptions({ projectId: project.id }),
    refetchInterval: (q) => (q.state.data?.some((r) => ACTIVE.has(r.status)) ? 3000 : 15_000),
  });
  const [picked, setPicked] = useState<number[]>([]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey({ projectId: project.id }) });
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.runs.resume.mutationOptions({ onSuccess: refresh }));
  const rows = runs.data ?? [];
  const queued = rows.filter((r) => r.status === "queued").length;
  const running = rows.filter((r) => r.status === "running").length;
  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length < MAX_COMPARED ? [...p, id] : p));
  return (
    <Card
      title="Runs"
      actions={
        <Button variant="secondary" disabled={picked.length < 2} onClick={() => router.push(comparePath(project.name, [...picked].sort((a, b) => a - b)))}>
          Compare {picked.length >= 2 ? `${picked.length} runs` : "runs"}
        </Button>
      }
    >
      <p className="mb-2 text-sm text-slate-500" data-testid="queue-summary">
        Queue: {running} running, {queued} waiting (one run at a time). Tick two or more runs to overlay their metrics.
      </p>
      <ErrorMessage error={cancel.error ?? resume.error} />
      <table className="w-full text-left text-sm" aria-label="runs">
        <thead className="text-slate-500">
          <tr>
            <th className="w-8 py-1"><span className="sr-only">Compare</span></th>
            <th>Run</th>
            <th>Kind</th>
            <th>Status</th>
            <th className="text-right">Step</th>
            <th className="pl-4">Started</th>
            <th className="text-right">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-100" data-testid={`run-row-${r.id}`}>
              <td className="py-1.5">
                <input type="checkbox" aria-label={`Compare run #${r.id}`} checked={picked.includes(r.id)} onChange={() => toggle(r.id)} />
              </td>
              <td>
                <Link className="text-indigo-700 underline" href={runPath(project.name, r.id)}>#{r.id}</Link>
              </td>
              <td>{r.kind}</td>
              <td><RunStatusBadge status={r.status} /></td>
              <td className="text-right tabular-nums">
                {r.step}
                {r.totalSteps ? ` / ${r.totalSteps}` : ""}
              </td>
              <td className="pl-4 text-slate-500">{r.startedAt ? r.startedAt.toLocaleString() : "queued"}</td>
              <td className="space-x-3 text-right">
                {ACTIVE.has(r.status) && (
                  <button className="text-rose-700 underline disabled:text-slate-400" disabled={r.cancelRequested} onClick={() => cancel.mutate({ runId: r.id })}>
                    {r.cancelRequested ? "Cancelling…" : "Cancel"}
                  </button>
                )}
                {(r.status === "failed" || r.status === "cancelled") && (
                  <button className="text-indigo-700 underline" onClick={() => resume.mutate({ runId: r.id })}>Resume</button>
                )}
                <Link className="text-indigo-700 underline" href={clonePath(project.name, r.id)}>Clone</Link>
              </td>
            </tr>
          ))}
          {runs.data?.length === 0 && (
            <tr>
              <td colSpan={7} className="py-2 text-slate-500">No runs for this project yet.</td>
            </tr>
          )}
        </tbody>
      </table>
    </Card>
  );
}
