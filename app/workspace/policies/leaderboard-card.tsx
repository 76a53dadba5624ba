"use client";
import { useQuery } from "@tanstack/react-query";
import { Card, ErrorMessage } from "../../components/ui";
import { syntheticLabel } from "../../components/synthetic-label";
import { useTRPC } from "../../trpc";

interface Interval {
  rating: number;
  ciLow: number;
  ciHigh: number;
}

const BAR_WIDTH = 180;
const BAR_HEIGHT = 16;

/** One scale for every row (so bars compare), padded a little, always showing the base's 1000. */
function scaleFor(rows: Interval[]): (rating: number) => number {
  const low = Math.min(1000, ...rows.map((r) => r.ciLow));
  const high = Math.max(1000, ...rows.map((r) => r.ciHigh));
  const pad = Math.max(10, (high - low) * 0.05);
  return (rating) => ((rating - (low - pad)) / (high - low + 2 * pad)) * BAR_WIDTH;
}

/** The 95% interval as a horizontal bar with the rating as a dot; the dashed line is the base. */
function IntervalBar({ row, x }: { row: Interval; x: (rating: number) => number }) {
  const mid = BAR_HEIGHT / 2;
  return (
    <svg width={BAR_WIDTH} height={BAR_HEIGHT} role="img" aria-label={`95% interval ${Math.round(row.ciLow)} to ${Math.round(row.ciHigh)}`}>
      <line x1={x(1000)} x2={x(1000)} y1={0} y2={BAR_HEIGHT} stroke="#94a3b8" strokeDasharray="2 2" />
      <line x1={x(row.ciLow)} x2={x(row.ciHigh)} y1={mid} y2={mid} stroke="#6366f1" strokeWidth={4} strokeLinecap="round" opacity={0.45} />
      <circle cx={x(row.rating)} cy={mid} r={4} fill="#4338ca" />
    </svg>
  );
}

/** Bradley-Terry ratings of the project's policies from pairwise human judgements. */
export function LeaderboardCard({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const board = useQuery(trpc.leaderboard.get.queryOptions({ projectId }));
  const rows = board.data?.rows ?? [];
  const x = scaleFor(rows);
  return (
    <Card title="Policy leaderboard">
      <ErrorMessage error={board.error} />
      {board.isPending ? (
        <p className="text-sm text-slate-500">Fitting ratings…</p>
      ) : rows.length === 0 ? (
        <p className="text-sm text-slate-500">
          No judgements between policies yet: label pairs of completions from two policies.
          {syntheticLabel(board.data?.synthetic) && ` (${syntheticLabel(board.data?.synthetic)} are not counted here: people rate the policies.)`}
        </p>
      ) : (
        <>
          <table className="w-full text-left text-sm" data-testid="leaderboard">
            <thead className="text-slate-500">
              <tr>
                <th className="py-1">Policy</th>
                <th className="text-right">Rating</th>
                <th className="pl-4">95% interval</th>
                <th className="text-right">Judgements</th>
                <th className="text-right">W / L / T</th>
                <th className="text-right">Both bad</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.policy} className="border-t border-slate-100">
                  <td className="py-1.5 font-medium">
                    {r.policy}
                    {!r.connectedToBase && <span className="ml-2 text-xs text-amber-700" title="No chain of comparisons links this policy to the base">not compared</span>}
                  </td>
                  <td className="text-right tabular-nums">{Math.round(r.rating)}</td>
                  <td className="pl-4" title={`${Math.round(r.ciLow)} – ${Math.round(r.ciHigh)}`}>
                    <IntervalBar row={r} x={x} />
                  </td>
                  <td className="text-right tabular-nums">{r.judgements.toLocaleString()}</td>
                  <td className="text-right tabular-nums">{`${r.wins} / ${r.losses} / ${r.ties}`}</td>
                  <td className="text-right tabular-nums">{r.bothBad}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="mt-3 text-xs text-slate-500">
            {board.data!.base} is anchored at 1000; 400 points = 10× the odds of being preferred. Ties count half a win each way;
            both-bad judgements are shown, not counted. Intervals: 1,000 bootstrap resamples of the {board.data!.judgements.toLocaleString()} judgements.
            {syntheticLabel(board.data!.synthetic) && ` Left out: ${syntheticLabel(board.data!.synthetic)} (people rate the policies here).`}
          </p>
        </>
      )}
    </Card>
  );
}
