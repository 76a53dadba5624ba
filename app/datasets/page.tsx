"use client";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";
import { EXPORT_FORMATS } from "../../db/enums";
import { RequireRole } from "../components/require-role";
import { syntheticLabel } from "../components/synthetic-label";
import { Card, Field, Select, TextInput } from "../components/ui";
import { useTRPC } from "../trpc";

const FORMAT_HELP: Record<(typeof EXPORT_FORMATS)[number], string> = {
  trl: "TRL standard: prompt / chosen / rejected strings (DPO, reward modelling).",
  "trl-conversational": "TRL conversational: the same pairs as message lists.",
  hh: "Anthropic HH: two whole transcripts per pair.",
  ranked: "One row per judgement: completions best first with their ranks (ties share a rank).",
  kto: "KTO unpaired: prompt / completion / label (winners true, losers false).",
  csv: "Every pair, including ties and both-bad, with provenance columns.",
};

function ExportForm() {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const params = useSearchParams();
  const [projectId, setProjectId] = useState(params.get("project") ?? "");
  const [format, setFormat] = useState<(typeof EXPORT_FORMATS)[number]>("trl");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [minAgreement, setMinAgreement] = useState("");
  const [includeSynthetic, setIncludeSynthetic] = useState(false);
  const chosen = projectId || String(projects.data?.[0]?.id ?? "");
  const synthetic = syntheticLabel(projects.data?.find((p) => String(p.id) === chosen)?.synthetic);
  const query = new URLSearchParams({ projectId: chosen, format });
  if (since) query.set("since", since);
  if (until) query.set("until", `${until}T23:59:59.999Z`);
  if (minAgreement) query.set("minAgreement", minAgreement);
  if (includeSynthetic) query.set("includeSynthetic", "1");
  return (
    <Card title="Export a training-ready dataset">
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Project">
          <Select name="project" value={chosen} onChange={(e) => setProjectId(e.target.value)}>
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.judgements.toLocaleString()} judgements{syntheticLabel(p.synthetic) ? `, ${syntheticLabel(p.synthetic)}` : ""})
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Format" hint={FORMAT_HELP[format]}>
          <Select name="format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            {EXPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Judged from">
          <TextInput type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </Field>
        <Field label="Judged until">
          <TextInput type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </Field>
        <Field label="Minimum agreement" hint="0–1; keeps tasks judged by several people who agree at least this much. Empty: no filter.">
          <TextInput type="number" min={0} max={1} step={0.05} value={minAgreement} onChange={(e) => setMinAgreement(e.target.value)} />
        </Field>
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" checked={includeSynthetic} onChange={(e) => setIncludeSynthetic(e.target.checked)} />
          Include synthetic judgements
          <span className="text-xs text-slate-500">({synthetic ?? "none in this project"}: made by D-REX/T-REX runs, not by people)</span>
        </label>
      </div>
      <a
        href={`/api/export?${query}`}
        download
        className={`mt-5 inline-block rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 ${chosen ? "" : "pointer-events-none opacity-50"}`}
      >
        Download {format}
      </a>
      <p className="mt-3 text-xs text-slate-500">
        Every row carries its provenance: judgement id, pseudonymous annotator, agreement, time on task and policy versions. Training runs read
        the same pairs.
      </p>
    </Card>
  );
}

export default function DatasetsPage() {
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold">Datasets</h1>
        <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
          <ExportForm />
        </Suspense>
      </div>
    </RequireRole>
  );
}
