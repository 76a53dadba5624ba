"use client";
import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ErrorMessage, Field, Select } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { useWorkspace } from "../workspace-context";

const WINDOWS = [7, 14, 30, 90] as const;
const STATE_COLORS = { human: "#4f46e5", imported: "#0891b2", undone: "#cbd5e1", synthetic: "#f59e0b" } as const;
// Each chart reads every judgement of the project once on the server (cached there until a
// judgement changes): the page asks when opened and then once a minute, never on a short timer.
const REFRESH_MS = 60_000;

function ChartCard({ title, note, testId, children, empty }: { title: string; note?: ReactNode; testId: string; children: ReactNode; empty?: string | false }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label={title} data-testid={testId}>
      <h2 className="text-sm font-semibold text-slate-700">{title}</h2>
      {note && <p className="text-xs text-slate-500">{note}</p>}
      <div className="mt-2 h-56">{empty ? <p className="pt-6 text-sm text-slate-500">{empty}</p> : <ResponsiveContainer width="100%" height="100%">{children as never}</ResponsiveContainer>}</div>
    </section>
  );
}

const hourLabel = (ms: number) => new Date(ms).toISOString().slice(5, 13).replace("T", " ") + "h";
const axis = { tick: { fontSize: 11 } };

function ActivityCharts({ projectId, days }: { projectId: number; days: number }) {
  const trpc = useTRPC();
  const activity = useQuery({ ...trpc.overview.activity.queryOptions({ projectId, days }), refetchInterval: REFRESH_MS });
  if (activity.error) return <ErrorMessage error={activity.error} />;
  if (!activity.data) return <p className="text-sm text-slate-500">Counting judgements…</p>;
  const a = activity.data;
  const total = a.judgements.reduce((s, k) => s + k.human + k.imported + k.undone + k.synthetic, 0);
  const labelled = a.labelsPerHour.reduce((s, h) => s + h.labels, 0);
  return (
    <>
      <ChartCard title="Judgements by type and state" note={`${total.toLocaleString()} in all: live human judgements, imported ones, undone ones and synthetic ones (drex, trex runs: no one's labels), by task kind.`} testId="chart-judgements" empty={total === 0 && "No judgements yet."}>
        <BarChart data={a.judgements}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="kind" {...axis} />
          <YAxis {...axis} width={48} allowDecimals={false} />
          <Tooltip />
          <Legend />
          {(["human", "imported", "undone", "synthetic"] as const).map((state) => (
            <Bar key={state} dataKey={state} stackId="state" fill={STATE_COLORS[state]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ChartCard>
      <ChartCard title="Labels per hour" note={`Human judgements in the last ${a.days} days (UTC hours): ${labelled.toLocaleString()}.`} testId="chart-labels-per-hour" empty={labelled === 0 && `No human labels in the last ${a.days} days.`}>
        <BarChart data={a.labelsPerHour}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="hour" tickFormatter={hourLabel} {...axis} minTickGap={24} />
          <YAxis {...axis} width={40} allowDecimals={false} />
          <Tooltip labelFormatter={(v) => hourLabel(Number(v))} />
          <Bar dataKey="labels" fill="#4f46e5" isAnimationActive={false} />
        </BarChart>
      </ChartCard>
      <ChartCard title="Median seconds per judgement" note="Per day: active time on task as the annotator's browser measured it (the server's lease-to-submit time when it did not)." testId="chart-median-seconds" empty={a.perDay.length === 0 && "No timed judgements in this window."}>
        <LineChart data={a.perDay}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="day" {...axis} />
          <YAxis {...axis} width={40} />
          <Tooltip formatter={(v, name) => (name === "medianSeconds" ? [`${v} s`, "median"] : [v, name])} />
          <Line type="monotone" dataKey="medianSeconds" stroke="#059669" dot isAnimationActive={false} />
        </LineChart>
      </ChartCard>
    </>
  );
}

function AgreementChart({ projectId, days }: { projectId: number; days: number }) {
  const trpc = useTRPC();
  const agreement = useQuery({ ...trpc.overview.agreement.queryOptions({ projectId, days }), refetchInterval: REFRESH_MS });
  if (agreement.error) return <ErrorMessage error={agreement.error} />;
  const rows = agreement.data ?? [];
  const any = rows.some((d) => d.tasks > 0);
  return (
    <ChartCard title="Agreement over time" note="Fleiss' κ and observed agreement of the tasks finished each day by two or more annotators." testId="chart-agreement" empty={!agreement.data ? "Computing agreement…" : !any && "No task got a second judgement in this window."}>
      <LineChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis dataKey="day" {...axis} />
        <YAxis {...axis} width={40} domain={[-1, 1]} />
        <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(3) : String(v))} />
        <Legend />
        <Line type="monotone" dataKey="fleissKappa" name="Fleiss' κ" stroke="#4f46e5" connectNulls isAnimationActive={false} />
        <Line type="monotone" dataKey="observedAgreement" name="observed agreement" stroke="#d97706" connectNulls isAnimationActive={false} />
      </LineChart>
    </ChartCard>
  );
}

function GoldAccuracyChart({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const report = useQuery({ ...trpc.quality.annotators.queryOptions({ projectId }), refetchInterval: REFRESH_MS });
  const rows = (report.data?.annotators ?? []).filter((r) => r.goldAccuracy !== null).map((r) => ({ annotator: r.username, accuracy: r.goldAccuracy!, gold: r.goldJudged }));
  return (
    <ChartCard title="Gold accuracy per annotator" note="Share of each annotator's gold items answered as the known answer." testId="chart-gold-accuracy" empty={!report.data ? "Loading…" : rows.length === 0 && "No gold items judged yet (Labeling: gold rate)."}>
      <BarChart data={rows} layout="vertical">
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis type="number" domain={[0, 1]} tickFormatter={(v) => `${Math.round(v * 100)}%`} {...axis} />
        <YAxis type="category" dataKey="annotator" width={96} {...axis} />
        <Tooltip formatter={(v) => `${(Number(v) * 100).toFixed(1)}%`} />
        <Bar dataKey="accuracy" fill="#059669" isAnimationActive={false} />
      </BarChart>
    </ChartCard>
  );
}

/** The project at a glance: what was judged, how fast, how consistently, and how well on gold items. */
export function OverviewCharts() {
  const project = useWorkspace();
  const [days, setDays] = useState<number>(14);
  return (
    <div className="space-y-4">
      <div className="max-w-[12rem]">
        <Field label="Window">
          <Select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {WINDOWS.map((d) => <option key={d} value={d}>Last {d} days</option>)}
          </Select>
        </Field>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <ActivityCharts projectId={project.id} days={days} />
        <AgreementChart projectId={project.id} days={days} />
        <GoldAccuracyChart projectId={project.id} />
      </div>
    </div>
  );
}
