"use client";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import type { AppRouter } from "../../../server/root";
import { LossChart, type ChartPoint } from "../../components/loss-chart";
import { Card, ErrorMessage } from "../../components/ui";
import { metricGroups } from "../../runs/metric-groups";
import { RunStatusBadge } from "../../runs/run-status";
import { useTRPC } from "../../trpc";
import { runPath } from "../paths";
import { useWorkspace } from "../workspace-context";

type ComparedRun = inferRouterOutputs<AppRouter>["runs"]["compare"][number];

export const runLabel = (run: { id: number; kind: string }) => `run #${run.id} (${run.kind})`;

/** Every metric any of the runs reported (loss first, then by family), each as one chart with a line per run. */
export function overlaySeries(runs: ComparedRun[]): Array<{ metric: string; points: ChartPoint[]; series: string[] }> {
  const names = new Set<string>();
  for (const run of runs) for (const e of run.events) {
    if (e.loss !== null) names.add("loss");
    for (const [k, v] of Object.entries(e.metrics ?? {})) if (typeof v === "number") names.add(k);
  }
  const ordered = metricGroups([...names]).flatMap((g) => g.series);
  return ordered.map((metric) => {
    const byStep = new Map<number, ChartPoint>();
    const series: string[] = [];
    for (const run of runs) {
      const label = runLabel(run);
      let any = false;
      for (const e of run.events) {
        const value = metric === "loss" ? e.loss : e.metrics?.[metric];
        if (typeof value !== "number") continue;
        const point = byStep.get(e.step) ?? byStep.set(e.step, { step: e.step }).get(e.step)!;
        point[label] = value;
        any = true;
      }
      if (any) series.push(label);
    }
    return { metric, series, points: [...byStep.values()].sort((a, b) => a.step - b.step) };
  });
}

/** Config fields as dotted paths, to show only what differs between the runs. */
function flatten(value: unknown, prefix = ""): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { [prefix]: JSON.stringify(value) };
  return Object.assign({}, ...Object.entries(value).map(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k))) as Record<string, string>;
}

function ConfigDifferences({ runs }: { runs: ComparedRun[] }) {
  const flat = runs.map((r) => flatten(r.config));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => new Set(flat.map((f) => f[k] ?? "–")).size > 1).sort();
  if (keys.length === 0) return <p className="text-sm text-slate-500">The runs have the same config.</p>;
  return (
    <table className="text-left text-sm" aria-label="config differences">
      <thead className="text-slate-500">
        <tr>
          <th className="py-1 pr-6">Field</th>
          {runs.map((r) => <th key={r.id} className="pr-6">{runLabel(r)}</th>)}
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k} className="border-t border-slate-100">
            <td className="py-1 pr-6 font-mono text-xs">{k}</td>
            {flat.map((f, i) => <td key={runs[i]!.id} className="pr-6 font-mono text-xs">{f[k] ?? "–"}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Two or more runs of the workspace's project overlaid: one chart per metric, a line per run, and what their configs change. */
export function RunOverlay({ runIds }: { runIds: number[] }) {
  const trpc = useTRPC();
  const project = useWorkspace();
  const compared = useQuery({
    ...trpc.runs.compare.queryOptions({ projectId: project.id, runIds }, { enabled: runIds.length >= 2 }),
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === "queued" || r.status === "running") ? 3000 : false),
  });
  if (runIds.length < 2) return <p className="text-sm text-slate-500">Pick two or more runs in the training section to compare them.</p>;
  if (compared.error) return <ErrorMessage error={compared.error} />;
  if (!compared.data) return <p className="text-sm text-slate-500">Loading runs…</p>;
  const charts = overlaySeries(compared.data);
  return (
    <div className="space-y-6">
      <Card title="Runs compared">
        <ul className="mb-4 flex flex-wrap gap-4 text-sm">
          {compared.data.map((r) => (
            <li key={r.id} className="flex items-center gap-2">
              <Link className="text-indigo-700 underline" href={runPath(project.name, r.id)}>{runLabel(r)}</Link>
              <RunStatusBadge status={r.status} />
              <span className="text-slate-500">step {r.step}{r.totalSteps ? ` / ${r.totalSteps}` : ""}</span>
            </li>
          ))}
        </ul>
        <ConfigDifferences runs={compared.data} />
      </Card>
      {charts.length === 0 && <p className="text-sm text-slate-500">None of these runs has reported metrics yet.</p>}
      <div className="grid gap-4 lg:grid-cols-2" data-testid="overlay-charts">
        {charts.map((c) => (
          <section key={c.metric} aria-label={`${c.metric} of ${c.series.length} runs`} className="rounded-lg border border-slate-200 bg-white p-3">
            <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">{c.metric}</h3>
            <LossChart points={c.points} series={c.series} />
          </section>
        ))}
      </div>
    </div>
  );
}
