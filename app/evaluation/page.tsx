"use client";
import { useQuery } from "@tanstack/react-query";
import { Suspense } from "react";
import { RequireRole } from "../components/require-role";
import { Card, Field, Select } from "../components/ui";
import { useUrlProject } from "../components/use-url-project";
import { useTRPC } from "../trpc";
import { EvaluationCard } from "./evaluation-card";
import { NewEvaluationForm } from "./new-evaluation-form";

const ACTIVE = new Set(["queued", "running"]);

function Evaluations({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  // Poll while a run (the evaluation or a human comparison's sampling) is still working, or judgements may arrive.
  const list = useQuery({
    ...trpc.evaluations.list.queryOptions({ projectId }),
    refetchInterval: (q) => (q.state.data?.some((e) => ACTIVE.has(e.run.status) || e.rows.some((r) => r.humanRun)) ? 3000 : false),
  });
  if (list.isPending) return <p className="text-slate-500">Loading evaluations…</p>;
  if (!list.data?.length) return <p className="text-sm text-slate-500">No evaluations in this project yet: pick policies above and press Evaluate.</p>;
  return (
    <div className="space-y-6">
      {list.data.map((e) => (
        <EvaluationCard key={e.run.id} evaluation={e} />
      ))}
    </div>
  );
}

function EvaluationPage() {
  const { projects, selected, select } = useUrlProject("/evaluation");
  if (projects.isPending) return <p className="text-slate-500">Loading projects…</p>;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Evaluation</h1>
      {selected === null ? (
        <p className="text-sm text-slate-500">No projects yet: import data on the dashboard first.</p>
      ) : (
        <>
          <Card title="New evaluation">
            <div className="mb-4 max-w-xs">
              <Field label="Project">
                <Select value={selected} onChange={(e) => select(Number(e.target.value))}>
                  {projects.data!.map((p) => (
                    <option key={p.id} value={p.id}>{p.name}</option>
                  ))}
                </Select>
              </Field>
            </div>
            <NewEvaluationForm key={selected} projectId={selected} />
          </Card>
          <Evaluations projectId={selected} />
        </>
      )}
    </div>
  );
}

export default function Page() {
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <EvaluationPage />
      </Suspense>
    </RequireRole>
  );
}
