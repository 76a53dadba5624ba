"use client";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import type { AppRouter } from "../../server/root";
import { Card } from "../components/ui";
import { RunStatusBadge } from "../runs/run-status";
import { FrontierChart, type FrontierPoint } from "./frontier-chart";
import { HumanComparison } from "./human-comparison";

export type Evaluation = inferRouterOutputs<AppRouter>["evaluations"]["list"][number];
type Row = Evaluation["rows"][number];

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);

function HumanCell({ row }: { row: Row }) {
  const h = row.human;
  if (h.games === 0) return <span className="text-slate-400">{row.humanRun ? `waiting for judgements (${row.humanRun.status === "succeeded" ? "tasks in the queue" : `sampling: ${row.humanRun.status}`})` : "–"}</span>;
  return (
    <span title={`${h.wins} wins, ${h.losses} losses, ${h.ties} ties; ${h.bothBad} both bad (not counted)`}>
      {pct(h.winRate)} <span className="text-xs text-slate-500">[{pct(h.low)}, {pct(h.high)}] n={h.games}{h.bothBad ? `, ${h.bothBad} both bad` : ""}</span>
    </span>
  );
}

function ResultsTable({ evaluation }: { evaluation: Evaluation }) {
  return (
    <table className="w-full text-left text-sm" aria-label={`evaluation ${evaluation.run.id}`}>
      <thead className="text-slate-500">
        <tr>
          <th className="py-1">Policy</th>
          <th className="text-right" title="Share of prompts where the reward model scores the policy's answer above the base's (ties half)">RM win rate</th>
          <th className="text-right">Mean reward</th>
          <th className="text-right" title="Mean over the policy's samples of log π(y) − log π_base(y), nats per sample">KL to base</th>
          <th className="pl-6">Human win rate (95% CI)</th>
        </tr>
      </thead>
      <tbody>
        {evaluation.rows.map((r) => (
          <tr key={r.id} className="border-t border-slate-100" data-testid={`evaluation-row-${r.policy}`}>
            <td className="py-1.5 font-medium">{r.policy}</td>
            <td className="text-right tabular-nums" data-testid="rm-win-rate">{pct(r.metrics.alignmentAccuracy)}</td>
            <td className="text-right tabular-nums">{num(r.metrics.meanReward)}</td>
            <td className="text-right tabular-nums" data-testid="kl-to-base">{num(r.metrics.klToBase)}</td>
            <td className="pl-6 tabular-nums"><HumanCell row={r} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function frontier(evaluation: Evaluation): FrontierPoint[] {
  const points = evaluation.rows.flatMap((r) => (r.metrics.klToBase != null && r.metrics.meanReward != null ? [{ label: r.policy, kl: r.metrics.klToBase, reward: r.metrics.meanReward }] : []));
  const baseReward = evaluation.rows[0]?.metrics.baseMeanReward;
  if (points.length && baseReward != null && evaluation.base && !points.some((p) => p.label === evaluation.base!.label)) points.push({ label: `${evaluation.base.label} (base)`, kl: 0, reward: baseReward });
  return points;
}

function Samples({ evaluation }: { evaluation: Evaluation }) {
  return (
    <div className="space-y-2">
      {evaluation.rows.map((r) => (
        <details key={r.id} className="rounded border border-slate-200 p-2 text-sm">
          <summary className="cursor-pointer font-medium">Samples: {r.policy} beside {evaluation.base?.label}</summary>
          <div className="mt-2 space-y-3">
            {(r.samples as Array<{ promptId: number; prompt: string; policy: string; base: string; policyReward: number | null; baseReward: number | null }>).map((s) => (
              <div key={s.promptId}>
                <p className="text-xs text-slate-500">{s.prompt}</p>
                <div className="mt-1 grid gap-2 md:grid-cols-2">
                  <p className="whitespace-pre-wrap rounded bg-indigo-50 p-2">{s.policy}<span className="block text-xs text-slate-500">{r.policy}{s.policyReward !== null ? ` · reward ${num(s.policyReward)}` : ""}</span></p>
                  <p className="whitespace-pre-wrap rounded bg-slate-50 p-2">{s.base}<span className="block text-xs text-slate-500">{evaluation.base?.label}{s.baseReward !== null ? ` · reward ${num(s.baseReward)}` : ""}</span></p>
                </div>
              </div>
            ))}
          </div>
        </details>
      ))}
    </div>
  );
}

/** One evaluate run: its status while it works, then the table, the frontier, samples and the human comparison. */
export function EvaluationCard({ evaluation }: { evaluation: Evaluation }) {
  const { run } = evaluation;
  const title = `Evaluation #${run.id}${evaluation.base ? ` against ${evaluation.base.label}` : ""}`;
  const runLink = <Link className="text-sm text-indigo-700 underline" href={`/runs/${run.id}`}>run #{run.id}</Link>;
  if (run.status !== "succeeded") {
    return (
      <Card title={title} actions={<RunStatusBadge status={run.status} />}>
        <p className="text-sm text-slate-600">
          {run.status === "failed" ? `The evaluation failed: ${run.error}` : run.status === "cancelled" ? "The evaluation was cancelled." : `Sampling ${evaluation.policies.map((p) => p.label).join(", ")} and the base on held-out prompts (step ${run.step}${run.totalSteps ? ` of ${run.totalSteps}` : ""}).`}{" "}
          Follow it on {runLink}.
        </p>
      </Card>
    );
  }
  const noRm = evaluation.rows.every((r) => r.rewardModelId === null);
  return (
    <Card title={title} actions={<span className="flex items-center gap-2"><RunStatusBadge status={run.status} /> {runLink}</span>}>
      <p className="mb-3 text-xs text-slate-500">
        {evaluation.rows[0]?.prompts ?? 0} prompts ({evaluation.config.prompts === "test" ? "held out" : Array.isArray(evaluation.config.prompts) ? "chosen" : "all"}) × {evaluation.config.samplesPerPrompt} sample(s) per policy, {evaluation.config.maxNewTokens} tokens, temperature {evaluation.config.temperature}
        {noRm ? ". The project had no reward model, so the reward columns are empty: train one (kind reward) to fill them." : `, reward model #${evaluation.rows[0]?.rewardModelId}.`}
      </p>
      <ResultsTable evaluation={evaluation} />
      <h3 className="mb-1 mt-5 text-sm font-semibold text-slate-700">Reward against KL to the base</h3>
      <FrontierChart points={frontier(evaluation)} />
      <h3 className="mb-1 mt-5 text-sm font-semibold text-slate-700">Samples side by side</h3>
      <Samples evaluation={evaluation} />
      <HumanComparison evaluation={evaluation} />
    </Card>
  );
}
