"use client";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartPoint {
  step: number;
  [series: string]: number | null;
}

const COLORS = ["#4f46e5", "#059669", "#d97706", "#dc2626", "#0891b2"];

/** Training curves: one line per series, steps on x; gaps where a series has no value. */
export function LossChart({ points, series }: { points: ChartPoint[]; series: string[] }) {
  if (points.length === 0) return <p className="text-sm text-slate-500">No progress reported yet.</p>;
  return (
    <div className="h-72 w-full" data-testid="loss-chart" data-points={points.length}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} tick={{ fontSize: 12 }} />
          <YAxis tick={{ fontSize: 12 }} width={56} domain={["auto", "auto"]} />
          <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(4) : String(v))} />
          <Legend />
          {series.map((name, i) => (
            <Line key={name} type="monotone" dataKey={name} stroke={COLORS[i % COLORS.length]} dot={false} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
