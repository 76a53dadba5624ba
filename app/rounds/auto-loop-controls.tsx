"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import type { AppRouter } from "../../server/root";
import type { RunKind } from "../../db/enums";
import { Button, ErrorMessage, Field, Select, TextArea, TextInput } from "../components/ui";
import { useTRPC } from "../trpc";

type LoopStatus = inferRouterOutputs<AppRouter>["rounds"]["list"]["status"];
type StepKey = "reward" | "policy" | "sample";

const STEPS: Array<{ key: StepKey; label: string }> = [
  { key: "reward", label: "Reward run config" },
  { key: "policy", label: "Policy run config" },
  { key: "sample", label: "Sample run config" },
];

const asJson = (config: Record<string, unknown> | null) => (config ? JSON.stringify(config, null, 2) : "");

/** Text of a config field: empty means "the last one used"; anything else must be a JSON object. */
function parseConfig(text: string, label: string): Record<string, unknown> | null {
  if (text.trim() === "") return null;
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${label}: a JSON object, or empty for the last one used`);
  return value as Record<string, unknown>;
}

/** What the next round will run, in one line (the full configs are below it). */
function NextRound({ status }: { status: LoopStatus }) {
  if (status.configError) return <ErrorMessage error={`The next round cannot start: ${status.configError}`} />;
  const c = status.nextConfigs!;
  return (
    <p className="text-sm text-slate-600">
      Next round: a {String(c.reward.kind)} reward model, then {c.policy.kind} from the project&apos;s newest policy, then {String(c.sample.maxPrompts)} prompts sampled as {String(c.sample.layout)} tasks.
    </p>
  );
}

/** The auto-loop switch, N, the step configs, and "start the next round now". */
export function AutoLoopControls({ projectId, status }: { projectId: number; status: LoopStatus }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const loop = status.autoLoop;
  const [enabled, setEnabled] = useState(loop.enabled);
  const [perRound, setPerRound] = useState(String(loop.judgementsPerRound));
  const [policyKind, setPolicyKind] = useState<RunKind | "">(loop.policyKind ?? "");
  const [configs, setConfigs] = useState<Record<StepKey, string>>({ reward: asJson(loop.reward), policy: asJson(loop.policy), sample: asJson(loop.sample) });
  const [formError, setFormError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.rounds.list.queryKey({ projectId }) });
  const configure = useMutation(trpc.rounds.configure.mutationOptions({ onSuccess: refresh }));
  const start = useMutation(trpc.rounds.start.mutationOptions({ onSuccess: refresh }));
  const save = () => {
    try {
      setFormError(null);
      const parsed = Object.fromEntries(STEPS.map((s) => [s.key, parseConfig(configs[s.key], s.label)])) as Record<StepKey, Record<string, unknown> | null>;
      configure.mutate({ projectId, enabled, judgementsPerRound: Number(perRound), policyKind: policyKind || null, ...parsed });
    } catch (error) {
      setFormError((error as Error).message);
    }
  };
  return (
    <div className="space-y-3">
      <div className="grid items-end gap-4 md:grid-cols-4">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Start rounds automatically
        </label>
        <Field label="New judgements per round" hint={`${status.newJudgements.toLocaleString()} of ${loop.judgementsPerRound.toLocaleString()} since the last round`}>
          <TextInput type="number" min={1} value={perRound} onChange={(e) => setPerRound(e.target.value)} />
        </Field>
        <Field label="Policy run kind">
          <Select value={policyKind} onChange={(e) => setPolicyKind(e.target.value as RunKind | "")}>
            <option value="">The last one used (dpo at first)</option>
            {status.policyKinds.map((kind) => (
              <option key={kind} value={kind}>{kind}</option>
            ))}
          </Select>
        </Field>
        <div className="flex gap-2">
          <Button onClick={save} disabled={configure.isPending}>Save loop settings</Button>
          <Button variant="secondary" onClick={() => start.mutate({ projectId })} disabled={start.isPending || status.running !== null}>
            Start next round now
          </Button>
        </div>
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-600">Step configs (JSON; empty: the last one this project used)</summary>
        <div className="mt-2 grid gap-3 md:grid-cols-3">
          {STEPS.map((s) => (
            <Field key={s.key} label={s.label}>
              <TextArea mono className="h-40 text-xs" value={configs[s.key]} placeholder="the last one used" onChange={(e) => setConfigs({ ...configs, [s.key]: e.target.value })} />
            </Field>
          ))}
        </div>
      </details>
      <NextRound status={status} />
      {configure.isSuccess && !configure.isPending && <p role="status" className="text-sm text-emerald-700">Saved{configure.data.started ? `: round ${configure.data.started.number} started` : ""}.</p>}
      <ErrorMessage error={formError ?? configure.error ?? start.error} />
    </div>
  );
}
