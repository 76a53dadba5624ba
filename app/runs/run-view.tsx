"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { LossChart, type ChartPoint } from "../components/loss-chart";
import { Button, Card, ErrorMessage, ProgressBar } from "../components/ui";
import { useTRPC } from "../trpc";
import { clonePath, policyPath } from "../workspace/paths";
import { metricGroups } from "./metric-groups";
import { formatDuration, RunStatusBadge } from "./run-status";

type Details = NonNullable<ReturnType<typeof useRunDetails>["data"]>;

export function useRunDetails(runId: number) {
  const trpc = useTRPC();
  // Poll while the run can still change; stop once it has finished.
  return useQuery({
    ...trpc.runs.get.queryOptions({ runId }),
    refetchInterval: (q) => (q.state.data && ["queued", "running"].includes(q.state.data.run.status) ? 2000 : false),
  });
}

/** Loss and every numeric metric the run reported, as chart series keyed by step. */
function toChart(events: Details["events"]): { points: ChartPoint[]; series: string[] } {
  const series = new Set<string>();
  const points = events
    .filter((e) => e.loss !== null || e.metrics)
    .map((e) => {
      const point: ChartPoint = { step: e.step };
      if (e.loss !== null) (point.loss = e.loss), series.add("loss");
      for (const [k, v] of Object.entries(e.metrics ?? {})) if (typeof v === "number") (point[k] = v), series.add(k);
      return point;
    });
  return { points, series: [...series] };
}

/** The newest value of every metric, as numbers people can quote. */
function LatestMetrics({ events }: { events: Details["events"] }) {
  const latest = new Map<string, { value: number; step: number }>();
  for (const e of events) {
    if (e.loss !== null) latest.set("loss", { value: e.loss, step: e.step });
    for (const [k, v] of Object.entries(e.metrics ?? {})) if (typeof v === "number") latest.set(k, { value: v, step: e.step });
  }
  if (latest.size === 0) return null;
  return (
    <table className="mt-4 text-sm" aria-label="latest metrics">
      <tbody>
        {[...latest].map(([name, { value, step }]) => (
          <tr key={name}>
            <td className="pr-6 text-slate-500">{name}</td>
            <td className="pr-6 text-right font-medium tabular-nums">{Math.abs(value) >= 1000 ? Math.round(value).toLocaleString() : value.toFixed(4)}</td>
            <td className="text-xs text-slate-400">step {step}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The policy version a finished run registered (its final checkpoint artifact names it). */
function registeredPolicyId(artifacts: Details["artifacts"]): number | null {
  const final = artifacts.find((a) => a.kind === "checkpoint" && typeof a.metadata?.policyId === "number");
  return final ? (final.metadata!.policyId as number) : null;
}

/**
 * Where the run computes: the TensorFlow.js engine (wasm, node, cpu) with its threads as the
 * worker recorded it at start, e.g. "wasm (simd=on, threads=1)".
 */
function EngineLine({ backend }: { backend: string | null }) {
  return (
    <p className="text-sm text-slate-500" data-testid="run-engine">
      Engine and threads: <span className="font-medium text-slate-700">{backend ?? "not chosen yet (the run has not started)"}</span>
    </p>
  );
}

/**
 * One run as it trains: progress with ETA, a chart per metric family, the log, config and
 * artifacts; inside a workspace (`project`) also the links to clone it and to the policy it made.
 */
export function RunView({ runId, project }: { runId: number; project?: { id: number; name: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const details = useRunDetails(runId);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ runId }) });
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.runs.resume.mutationOptions({ onSuccess: refresh }));
  if (details.isPending) return <p className="text-slate-500">Loading run…</p>;
  if (details.error) return <ErrorMessage error={details.error} />;
  const { run, events, artifacts } = details.data;
  // A run of another project under this workspace's URL: say so rather than show it under the wrong name.
  if (project && run.projectId !== project.id)
    return <p className="text-sm text-slate-600">Run {run.id} is not a run of {project.name}: <Link className="text-indigo-700 underline" href={`/runs/${run.id}`}>open it where it belongs</Link>.</p>;
  const projectName = project?.name;
  const last = [...events].reverse().find((e) => e.step > 0);
  const chart = toChart(events);
  const messages = events.filter((e) => e.message);
  const policyId = registeredPolicyId(artifacts);
  return (
    <div className="space-y-6">
      <div className="flex items-center gap-3">
        <h2 className="text-xl font-semibold">
          Run {run.id}: {run.kind}
        </h2>
        <RunStatusBadge status={run.status} />
        <div className="ml-auto flex items-center gap-2">
          {projectName && policyId !== null && (
            <Link className="text-sm text-indigo-700 underline" href={policyPath(projectName, policyId)}>Policy it made</Link>
          )}
          {projectName && (
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50" href={clonePath(projectName, run.id)}>
              Clone and edit
            </Link>
          )}
          {(run.status === "queued" || run.status === "running") && (
            <Button variant="danger" onClick={() => cancel.mutate({ runId })} disabled={run.cancelRequested || cancel.isPending}>
              {run.cancelRequested ? "Cancelling…" : "Cancel"}
            </Button>
          )}
          {(run.status === "failed" || run.status === "cancelled") && (
            <Button variant="secondary" onClick={() => resume.mutate({ runId })}>
              Resume{run.lastCheckpoint ? " from its last checkpoint" : " from the start"}
            </Button>
          )}
        </div>
      </div>
      <EngineLine backend={run.backend} />
      <ErrorMessage error={cancel.error ?? resume.error} />
      {run.error && <ErrorMessage error={`The run failed: ${run.error}`} />}
      <Card title="Progress">
        <ProgressBar
          value={run.totalSteps ? run.step / run.totalSteps : run.status === "succeeded" ? 1 : 0}
          label={`step ${run.step}${run.totalSteps ? ` of ${run.totalSteps}` : ""} · ETA ${formatDuration(last?.etaSeconds)} · ${last?.tokensPerSecond ? `${Math.round(last.tokensPerSecond)} tokens/s` : "–"} · attempt ${run.attempts}`}
        />
        {chart.series.length === 0 && <p className="mt-4 text-sm text-slate-500">No progress reported yet.</p>}
        <div className="mt-4 grid gap-4 lg:grid-cols-2" data-testid="metric-charts">
          {metricGroups(chart.series).map((g) => (
            <div key={g.family}>
              <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">{g.family}</h3>
              <LossChart points={chart.points} series={g.series} />
            </div>
          ))}
        </div>
        <LatestMetrics events={events} />
      </Card>
      {messages.length > 0 && (
        <Card title="Log">
          <ul className="space-y-1 text-sm">
            {messages.map((e) => (
              <li key={e.id}>
                <span className="text-slate-400">step {e.step}:</span> {e.message}
              </li>
            ))}
          </ul>
        </Card>
      )}
      <Card title="Config and artifacts">
        <pre className="overflow-auto rounded bg-slate-50 p-3 text-xs">{JSON.stringify(run.config, null, 2)}</pre>
        <ul className="mt-3 space-y-1 text-sm">
          {artifacts.map((a) => (
            <li key={a.id}>
              <span className="font-medium">{a.kind}</span> {a.step !== null && `@ step ${a.step}`} — <code className="text-xs">{a.path}</code>
            </li>
          ))}
          {artifacts.length === 0 && <li className="text-slate-500">No artifacts yet.</li>}
        </ul>
      </Card>
    </div>
  );
}
