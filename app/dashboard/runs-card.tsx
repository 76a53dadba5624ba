"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { RunKind } from "../../db/enums";
import { Button, Card, ErrorMessage, Field, Select, TextArea } from "../components/ui";
import { useTRPC } from "../trpc";
import { RunStatusBadge } from "../runs/run-status";

function NewRunForm({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const kinds = useQuery(trpc.runs.kinds.queryOptions());
  const [kind, setKind] = useState<RunKind | "">("");
  const [configText, setConfigText] = useState("");
  const [parseError, setParseError] = useState<string | null>(null);
  const chosen = kinds.data?.find((k) => k.kind === kind) ?? kinds.data?.[0];
  // Show the defaults of the chosen kind: what runs if nothing is changed.
  useEffect(() => {
    if (chosen) setConfigText(JSON.stringify(chosen.defaults, null, 2));
  }, [chosen]);
  const create = useMutation(trpc.runs.create.mutationOptions({ onSuccess: (run) => router.push(`/runs/${run.id}`) }));
  if (!kinds.data?.length) return <p className="text-sm text-slate-500">No training kinds are available in this build.</p>;
  const submit = () => {
    try {
      const config = JSON.parse(configText) as Record<string, unknown>;
      setParseError(null);
      create.mutate({ kind: chosen!.kind, projectId, config });
    } catch (e) {
      setParseError(`The config is not valid JSON: ${(e as Error).message}`);
    }
  };
  return (
    <div className="grid gap-4 md:grid-cols-3">
      <div>
        <Field label="Kind">
          <Select value={chosen?.kind} onChange={(e) => setKind(e.target.value as RunKind)} aria-describedby="run-kind-description">
            {kinds.data.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.kind}
              </option>
            ))}
          </Select>
        </Field>
        {/* Outside the label: the description explains the kind, it is not part of the field's name. */}
        {chosen && <p id="run-kind-description" className="mt-2 text-xs text-slate-500">{chosen.description}</p>}
      </div>
      <div className="md:col-span-2">
        <Field label="Config (defaults shown; edit any field)">
          <TextArea className="h-40" mono value={configText} onChange={(e) => setConfigText(e.target.value)} spellCheck={false} />
        </Field>
      </div>
      <div>
        <Button onClick={submit} disabled={create.isPending}>
          Start training
        </Button>
      </div>
      <div className="md:col-span-3">
        <ErrorMessage error={parseError ?? create.error} />
      </div>
    </div>
  );
}

export function RunsCard({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const runs = useQuery({ ...trpc.runs.list.queryOptions({ projectId }), refetchInterval: 5000 });
  return (
    <Card title="Training runs">
      <NewRunForm projectId={projectId} />
      <table className="mt-5 w-full text-left text-sm">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1">Run</th>
            <th>Kind</th>
            <th>Status</th>
            <th className="text-right">Step</th>
            <th className="pl-4">Started</th>
          </tr>
        </thead>
        <tbody>
          {(runs.data ?? []).map((r) => (
            <tr key={r.id} className="border-t border-slate-100">
              <td className="py-1.5">
                <Link className="text-indigo-700 underline" href={`/runs/${r.id}`}>
                  #{r.id}
                </Link>
              </td>
              <td>{r.kind}</td>
              <td>
                <RunStatusBadge status={r.status} />
              </td>
              <td className="text-right tabular-nums">
                {r.step}
                {r.totalSteps ? ` / ${r.totalSteps}` : ""}
              </td>
              <td className="pl-4 text-slate-500">{r.startedAt ? r.startedAt.toLocaleString() : "queued"}</td>
            </tr>
          ))}
          {runs.data?.length === 0 && (
            <tr>
              <td colSpan={5} className="py-2 text-slate-500">
                No runs for this project yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </Card>
  );
}
