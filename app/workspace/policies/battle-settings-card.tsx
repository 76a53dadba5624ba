"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { BATTLE_SAMPLINGS, type BattleSampling } from "../../../db/enums";
import type { BattleSettings } from "../../../db/types";
import { Button, Card, ErrorMessage, Field, Select, TextInput } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { useWorkspace } from "../workspace-context";

const SAMPLING_LABELS: Record<BattleSampling, string> = { uniform: "Uniform over pairs", "fewer-games": "Toward pairs with fewer games" };

/** Battle mode of the project: on or off, which policies battle, how pairs are drawn, how long answers are. */
export function BattleSettingsCard() {
  const trpc = useTRPC();
  const project = useWorkspace();
  const queryClient = useQueryClient();
  const current = useQuery(trpc.projects.get.queryOptions({ projectId: project.id }));
  const candidates = useQuery(trpc.battles.candidates.queryOptions({ projectId: project.id }));
  const [battle, setBattle] = useState<BattleSettings | null>(null);
  useEffect(() => {
    if (current.data) setBattle(current.data.settings.battle);
  }, [current.data]);
  const save = useMutation(trpc.projects.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.projects.get.queryKey({ projectId: project.id }) }) }));
  if (!battle) return null;
  const toggle = (id: number, on: boolean) => setBattle({ ...battle, policyIds: on ? [...battle.policyIds, id] : battle.policyIds.filter((p) => p !== id) });
  return (
    <Card title="Live battles (Arena mode)">
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={battle.enabled} onChange={(e) => setBattle({ ...battle, enabled: e.target.checked })} />
        Battle project: annotators write a prompt on <Link className="text-indigo-700 underline" href="/battle">/battle</Link>, two hidden policies answer side by side, names shown after the vote
      </label>
      <fieldset className="mt-3">
        <legend className="text-sm font-medium text-slate-700">Policies that battle (none ticked: all of them)</legend>
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {candidates.data?.map((p) => (
            <label key={p.id} className="flex items-center gap-1.5 text-sm">
              <input type="checkbox" checked={battle.policyIds.includes(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} />
              {p.label} <span className="text-xs text-slate-400">{p.kind}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="mt-3 grid gap-3 md:grid-cols-3">
        <Field label="Pairs drawn" hint="Fewer games: weight 1 / (1 + the pair's judged games).">
          <Select value={battle.sampling} onChange={(e) => setBattle({ ...battle, sampling: e.target.value as BattleSampling })}>
            {BATTLE_SAMPLINGS.map((s) => <option key={s} value={s}>{SAMPLING_LABELS[s]}</option>)}
          </Select>
        </Field>
        <Field label="Answer tokens" hint="At most, per answer (the model's context may cut it shorter).">
          <TextInput type="number" min={1} value={battle.maxNewTokens} onChange={(e) => setBattle({ ...battle, maxNewTokens: Number(e.target.value) })} />
        </Field>
        <Field label="Temperature">
          <TextInput type="number" min={0} step={0.1} value={battle.temperature} onChange={(e) => setBattle({ ...battle, temperature: Number(e.target.value) })} />
        </Field>
      </div>
      <div className="mt-4 flex items-center gap-3">
        <Button onClick={() => save.mutate({ projectId: project.id, settings: { battle } })} disabled={save.isPending}>Save battle settings</Button>
        {save.isSuccess && !save.isPending && <span role="status" className="text-sm text-emerald-700">Saved.</span>}
      </div>
      <ErrorMessage error={save.error ?? candidates.error} />
    </Card>
  );
}
