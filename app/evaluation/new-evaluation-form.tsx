"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, ErrorMessage, Field, Select, TextInput } from "../components/ui";
import { useTRPC } from "../trpc";

/** Picks policy versions (with their lineage) and a base, and queues an evaluate run. */
export function NewEvaluationForm({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policies = useQuery(trpc.evaluations.policies.queryOptions({ projectId }));
  const [picked, setPicked] = useState<number[]>([]);
  const [baseId, setBaseId] = useState<number | null>(null);
  const [prompts, setPrompts] = useState<"test" | "all">("test");
  const [maxPrompts, setMaxPrompts] = useState(32);
  const [maxNewTokens, setMaxNewTokens] = useState(32);
  const create = useMutation(trpc.evaluations.create.mutationOptions({
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.evaluations.list.queryKey({ projectId }) }),
  }));
  const rows = policies.data ?? [];
  if (policies.isPending) return <p className="text-sm text-slate-500">Loading policies…</p>;
  if (rows.length === 0) return <p className="text-sm text-slate-500">This project has no policy checkpoints yet: train one (DPO, SFT, ...) from the dashboard first.</p>;
  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length < 9 ? [...p, id] : p));
  const submit = () => create.mutate({ projectId, config: { policyIds: picked, baseId, prompts, maxPrompts, maxNewTokens } });
  return (
    <div className="grid gap-4 md:grid-cols-3">
      <fieldset className="md:col-span-2">
        <legend className="mb-1 text-sm font-medium text-slate-700">Policies to compare (up to 9)</legend>
        <ul className="max-h-48 space-y-1 overflow-auto rounded border border-slate-200 p-2 text-sm">
          {rows.map((p) => (
            <li key={p.id}>
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={picked.includes(p.id)} onChange={() => toggle(p.id)} aria-label={p.label} />
                <span className="font-medium">{p.label}</span>
                <span className="text-xs text-slate-500">
                  {p.parent ? `from ${p.parent}` : p.kind === "builtin" ? "built-in" : "no parent"}
                  {p.runId ? ` · run #${p.runId}` : ""}
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <div className="space-y-3">
        <Field label="Base">
          <Select value={baseId ?? ""} onChange={(e) => setBaseId(e.target.value ? Number(e.target.value) : null)}>
            <option value="">Root of the first policy's lineage</option>
            {rows.map((p) => (
              <option key={p.id} value={p.id}>{p.label}</option>
            ))}
          </Select>
        </Field>
        <Field label="Prompts" hint="Held out: prompts with no judgement from before these policies were trained.">
          <Select value={prompts} onChange={(e) => setPrompts(e.target.value as "test" | "all")}>
            <option value="test">Held-out prompts</option>
            <option value="all">All prompts</option>
          </Select>
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Max prompts">
            <TextInput type="number" min={1} max={1000} value={maxPrompts} onChange={(e) => setMaxPrompts(Number(e.target.value))} />
          </Field>
          <Field label="Tokens per sample">
            <TextInput type="number" min={1} max={512} value={maxNewTokens} onChange={(e) => setMaxNewTokens(Number(e.target.value))} />
          </Field>
        </div>
      </div>
      <div className="md:col-span-3">
        <Button onClick={submit} disabled={create.isPending || picked.length === 0}>
          Evaluate {picked.length ? `${picked.length} ${picked.length === 1 ? "policy" : "policies"}` : ""}
        </Button>
        <ErrorMessage error={create.error} />
      </div>
    </div>
  );
}
