"use client";
import { CartesianGrid, LabelList, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";

export interface FrontierPoint {
  label: string;
  kl: number;
  reward: number;
}

/** Reward against KL to the base, one labelled point per policy version (the base at KL 0). */
export function FrontierChart({ points }: { points: FrontierPoint[] }) {
  if (points.length === 0) return <p className="text-sm text-slate-500">No reward-versus-KL point yet: it needs a reward model's scores and a KL for at least one policy.</p>;
  return (
    <div className="h-64 w-full" data-testid="frontier-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 24, right: 40, bottom: 24, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis type="number" dataKey="kl" name="KL to base" tick={{ fontSize: 12 }} domain={["auto", "auto"]} padding={{ left: 24, right: 24 }} tickFormatter={(v: number) => v.toFixed(2)}
            label={{ value: "KL to base (nats / sample)", position: "insideBottom", offset: -12, fontSize: 12 }} />
          <YAxis type="number" dataKey="reward" name="mean reward" tick={{ fontSize: 12 }} width={64} domain={["auto", "auto"]} padding={{ top: 24, bottom: 16 }} tickFormatter={(v: number) => v.toFixed(3)}
            label={{ value: "mean reward", angle: -90, position: "insideLeft", fontSize: 12 }} />
          <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(4) : String(v))} />
          <Scatter data={points} fill="#4f46e5" isAnimationActive={false}>
            <LabelList dataKey="label" position="top" fontSize={11} fill="#334155" />
          </Scatter>
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
