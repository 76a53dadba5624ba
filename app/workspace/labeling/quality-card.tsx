"use client";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Card } from "../../components/ui";
import { syntheticLabel } from "../../components/synthetic-label";
import { useTRPC } from "../../trpc";

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);
const num = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));

/** Kappa as a cell colour: red at chance or below, green at perfect agreement. */
function kappaColor(k: number | null): string {
  if (k === null) return "#f1f5f9";
  const t = Math.max(0, Math.min(1, k));
  return `hsl(${Math.round(t * 130)}, 70%, ${90 - t * 30}%)`;
}

function AgreementSummary({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.quality.projectAgreement.queryOptions({ projectId }));
  if (!q.data) return <p className="text-sm text-slate-500">Loading agreement…</p>;
  const a = q.data;
  const stats = [
    ["Cohen's κ (mean over pairs)", num(a.cohen.meanKappa), `${a.cohen.pairs} annotator pairs`],
    ["Fleiss' κ", num(a.fleiss?.kappa), a.fleiss ? `${a.fleiss.items} tasks` : "needs overlap"],
    ["Krippendorff's α (strength, ordinal)", num(a.krippendorffStrength?.alpha), a.krippendorffStrength ? `${a.krippendorffStrength.units} tasks` : "–"],
    ["Krippendorff's α (rankings, ordinal)", num(a.krippendorffRanking?.alpha), a.krippendorffRanking ? `${a.krippendorffRanking.units} units` : "–"],
  ];
  const byPair = new Map(a.matrix.pairs.map((p) => [`${p.a}:${p.b}`, p]));
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600">
        {a.judgements.toLocaleString()} human judgements, {a.tasksWithOverlap.toLocaleString()} tasks judged by two or more people.
      </p>
      <dl className="grid gap-3 md:grid-cols-4">
        {stats.map(([label, value, note]) => (
          <div key={label} className="rounded border border-slate-200 p-3">
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className="text-xl font-semibold tabular-nums">{value}</dd>
            <dd className="text-xs text-slate-400">{note}</dd>
          </div>
        ))}
      </dl>
      {a.matrix.annotators.length > 1 && (
        <table className="text-xs" aria-label="annotator agreement matrix">
          <thead>
            <tr>
              <th />
              {a.matrix.annotators.map((x) => (
                <th key={x.id} className="px-2 font-medium">
                  {x.username}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {a.matrix.annotators.map((row) => (
              <tr key={row.id}>
                <th className="pr-2 text-right font-medium">{row.username}</th>
                {a.matrix.annotators.map((col) => {
                  const p = byPair.get(`${row.id}:${col.id}`) ?? byPair.get(`${col.id}:${row.id}`);
                  return (
                    <td key={col.id} className="h-8 w-16 text-center tabular-nums" style={{ background: row.id === col.id ? "#e2e8f0" : kappaColor(p?.kappa ?? null) }} title={p ? `${p.shared} shared, ${pct(p.percentAgreement)} agree` : "too few shared tasks"}>
                      {row.id === col.id ? "" : p ? num(p.kappa) : "·"}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function AnnotatorTable({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.quality.annotators.queryOptions({ projectId }));
  if (!q.data) return null;
  return (
    <table className="w-full text-left text-sm">
      <thead className="text-slate-500">
        <tr>
          <th className="py-1">Annotator</th>
          <th className="text-right">Judgements</th>
          <th className="text-right">Median s</th>
          <th className="text-right">Gold accuracy</th>
          <th className="text-right">Ties</th>
          <th className="text-right">Both bad</th>
          <th className="text-right">Skips</th>
          <th className="text-right" title={`faster than ${num(q.data.fastThresholdSeconds, 1)} s`}>
            Too fast
          </th>
        </tr>
      </thead>
      <tbody>
        {q.data.annotators.map((r) => (
          <tr key={r.id} className="border-t border-slate-100">
            <td className="py-1.5">{r.username}</td>
            <td className="text-right tabular-nums">{r.judgements}</td>
            <td className="text-right tabular-nums">{num(r.medianSeconds, 1)}</td>
            <td className="text-right tabular-nums">{pct(r.goldAccuracy)}</td>
            <td className="text-right tabular-nums">{pct(r.tieShare)}</td>
            <td className="text-right tabular-nums">{pct(r.bothBadShare)}</td>
            <td className="text-right tabular-nums">{pct(r.skipShare)}</td>
            <td className={`text-right tabular-nums ${r.fastJudgements > 0 ? "font-medium text-amber-700" : ""}`}>{r.fastJudgements}</td>
          </tr>
        ))}
        {q.data.annotators.length === 0 && (
          <tr>
            <td colSpan={8} className="py-2 text-slate-500">
              No human judgements yet.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function ProgressChart({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.quality.projectProgress.queryOptions({ projectId }));
  if (!q.data) return null;
  const p = q.data;
  return (
    <div className="grid gap-4 md:grid-cols-3">
      <dl className="space-y-1 text-sm">
        <div>
          <dt className="inline text-slate-500">Tasks open / complete / flagged: </dt>
          <dd className="inline tabular-nums">
            {p.tasks.open} / {p.tasks.complete} / {p.tasks.flagged}
          </dd>
        </div>
        <div>
          <dt className="inline text-slate-500">Judgements still needed: </dt>
          <dd className="inline tabular-nums">{p.judgementsNeeded}</dd>
        </div>
        <div>
          <dt className="inline text-slate-500">Gold tasks: </dt>
          <dd className="inline tabular-nums">{p.goldTasks}</dd>
        </div>
        <div>
          <dt className="inline text-slate-500">Skipped: </dt>
          <dd className="inline tabular-nums">{p.skipped}</dd>
        </div>
        {syntheticLabel(p.synthetic) && (
          <div>
            <dt className="inline text-slate-500">Not counted here: </dt>
            <dd className="inline tabular-nums" data-testid="synthetic-progress">{syntheticLabel(p.synthetic)}</dd>
          </div>
        )}
      </dl>
      <div className="h-40 md:col-span-2">
        {p.perDay.length === 0 ? (
          <p className="text-sm text-slate-500">Judgements per day appear here once annotators start.</p>
        ) : (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={p.perDay}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="day" tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} width={40} allowDecimals={false} />
            <Tooltip />
            <Bar dataKey="judgements" fill="#4f46e5" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
        )}
      </div>
    </div>
  );
}

export function QualityCard({ projectId }: { projectId: number }) {
  return (
    <Card title="Labeling progress and quality">
      <div className="space-y-6">
        <ProgressChart projectId={projectId} />
        <AgreementSummary projectId={projectId} />
        <AnnotatorTable projectId={projectId} />
      </div>
    </Card>
  );
}
