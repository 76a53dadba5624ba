"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Button, Card, ErrorMessage, Field, Select, TextInput } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { runPath } from "../paths";
import { useWorkspace } from "../workspace-context";

const fixed = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));

/** Scores one completion with a linear reward model (neural ones score from the CLI). */
function TryScore({ models }: { models: Array<{ id: number; name: string }> }) {
  const trpc = useTRPC();
  const [picked, setModelId] = useState<number | null>(null);
  // The list may arrive after the first render: fall back to the newest model until one is picked.
  const modelId = models.find((m) => m.id === picked)?.id ?? models[0]?.id ?? 0;
  const [prompt, setPrompt] = useState("");
  const [completion, setCompletion] = useState("");
  const score = useMutation(trpc.rewardModels.score.mutationOptions());
  if (models.length === 0) return null;
  return (
    <div className="mt-5 grid gap-3 border-t border-slate-100 pt-4 md:grid-cols-4">
      <Field label="Linear model">
        <Select value={modelId} onChange={(e) => setModelId(Number(e.target.value))}>
          {models.map((m) => (
            <option key={m.id} value={m.id}>{m.name}</option>
          ))}
        </Select>
      </Field>
      <Field label="Prompt">
        <TextInput value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      </Field>
      <Field label="Completion">
        <TextInput value={completion} onChange={(e) => setCompletion(e.target.value)} />
      </Field>
      <div className="flex items-end gap-3">
        <Button onClick={() => score.mutate({ rewardModelId: modelId, prompt, completion })} disabled={score.isPending}>
          Score
        </Button>
        {score.data && (
          <span className="text-sm tabular-nums" data-testid="reward-score">
            {score.data.score.toFixed(4)}
            {score.data.normalized !== null && <span className="text-slate-500"> ({score.data.normalized.toFixed(2)} σ)</span>}
          </span>
        )}
      </div>
      <div className="md:col-span-4">
        <ErrorMessage error={score.error} />
      </div>
    </div>
  );
}

/** The project's reward models with their held-out metrics, newest first. */
export function RewardModelsCard({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const project = useWorkspace();
  const list = useQuery({ ...trpc.rewardModels.list.queryOptions({ projectId }), refetchInterval: 10000 });
  const rows = list.data ?? [];
  return (
    <Card title="Reward models">
      <ErrorMessage error={list.error} />
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">No reward models yet: start a “reward” run under Training runs, or run `npx preflab train reward`.</p>
      ) : (
        <table className="w-full text-left text-sm" data-testid="reward-models">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1">Model</th>
              <th>Kind</th>
              <th className="text-right" title="Test pairs (prompts never trained or selected on) where the preferred answer scored higher">Accuracy</th>
              <th className="text-right">Loss</th>
              <th className="text-right" title="Expected calibration error of σ(r_c − r_r)">ECE</th>
              <th className="text-right">Mean margin</th>
              <th className="text-right">Reward mean ± std</th>
              <th className="text-right">Test pairs</th>
              <th>Run</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.id} className="border-t border-slate-100">
                <td className="py-1.5 font-medium" title={m.path}>{m.name} <span className="text-xs text-slate-400">#{m.id}</span></td>
                <td>{m.kind}</td>
                <td className="text-right tabular-nums">{fixed(m.metrics?.accuracy)}</td>
                <td className="text-right tabular-nums">{fixed(m.metrics?.loss)}</td>
                <td className="text-right tabular-nums">{fixed(m.metrics?.ece)}</td>
                <td className="text-right tabular-nums">{fixed(m.metrics?.meanMargin)}</td>
                <td className="text-right tabular-nums">{`${fixed(m.rewardMean ?? undefined, 2)} ± ${fixed(m.rewardStd ?? undefined, 2)}`}</td>
                <td className="text-right tabular-nums">{m.metrics?.pairs ?? "–"}</td>
                <td>{m.runId !== null && <Link className="text-indigo-700 underline" href={runPath(project.name, m.runId)}>run {m.runId}</Link>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <TryScore models={rows.filter((m) => m.kind === "linear")} />
    </Card>
  );
}
