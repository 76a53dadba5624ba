"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ProjectSettings } from "../../../db/types";
import { Button, Card, ErrorMessage, Field, TextArea, TextInput } from "../../components/ui";
import { QueueOrderFields } from "../../rounds/queue-order-fields";
import { useTRPC } from "../../trpc";

type NumberKey = { [K in keyof ProjectSettings]: ProjectSettings[K] extends number ? K : never }[keyof ProjectSettings];
type BooleanKey = { [K in keyof ProjectSettings]: ProjectSettings[K] extends boolean ? K : never }[keyof ProjectSettings];

const NUMBER_FIELDS: Array<{ key: NumberKey; label: string; hint: string; step?: number }> = [
  { key: "judgementsPerTask", label: "Judgements per task", hint: "Different annotators per task (overlap, for agreement); applies to tasks created from now on." },
  { key: "leaseSeconds", label: "Lease (seconds)", hint: "A held task returns to the queue after this long." },
  { key: "maxActiveLeases", label: "Tasks held at once", hint: "Per annotator." },
  { key: "goldRate", label: "Gold rate", hint: "Share of served tasks that are gold items (0–1).", step: 0.01 },
  { key: "flagsToRetire", label: "Flags to retire", hint: "A task leaves the queue after this many flags." },
  { key: "undoWindowSeconds", label: "Undo window (seconds)", hint: "How long an annotator may undo a judgement." },
];

const BOOLEAN_FIELDS: Array<{ key: BooleanKey; label: string }> = [
  { key: "allowRankTies", label: "Rankings may contain ties" },
  { key: "allowPartialRanking", label: "Rankings may leave completions unranked" },
];

/** Guidelines and labeling settings of a project; the current values (defaults at first) are shown. */
export function SettingsCard({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const [settings, setSettings] = useState<ProjectSettings | null>(null);
  const [guidelines, setGuidelines] = useState("");
  useEffect(() => {
    if (project.data) {
      setSettings(project.data.settings);
      setGuidelines(project.data.guidelines);
    }
  }, [project.data]);
  const save = useMutation(trpc.projects.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.projects.get.queryKey({ projectId }) }) }));
  if (!settings) return null;
  return (
    <Card title="Guidelines and labeling settings">
      <div className="grid gap-4 md:grid-cols-3">
        {NUMBER_FIELDS.map((f) => (
          <Field key={f.key} label={f.label} hint={f.hint}>
            <TextInput type="number" step={f.step ?? 1} value={settings[f.key]} onChange={(e) => setSettings({ ...settings, [f.key]: Number(e.target.value) })} />
          </Field>
        ))}
        <QueueOrderFields projectId={projectId} settings={settings} onChange={setSettings} />
        {BOOLEAN_FIELDS.map((f) => (
          <label key={f.key} className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={settings[f.key]} onChange={(e) => setSettings({ ...settings, [f.key]: e.target.checked })} />
            {f.label}
          </label>
        ))}
        <div className="md:col-span-3">
          <Field label="Guidelines (annotators see these at any time)">
            <TextArea className="h-32" value={guidelines} onChange={(e) => setGuidelines(e.target.value)} />
          </Field>
        </div>
      </div>
      <div className="mt-4 flex items-center gap-3">
        <Button onClick={() => save.mutate({ projectId, settings, guidelines })} disabled={save.isPending}>
          Save settings
        </Button>
        {save.isSuccess && !save.isPending && <span role="status" className="text-sm text-emerald-700">Saved.</span>}
      </div>
      <ErrorMessage error={save.error} />
    </Card>
  );
}
