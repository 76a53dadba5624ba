"use client";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { Suspense, useEffect } from "react";
import { RoundsNotebook } from "../../../rounds/rounds-notebook";
import { policyPath, runPath } from "../../../workspace/paths";
import { RewardModelsCard } from "../../../workspace/training/reward-models-card";
import { Card, ErrorMessage } from "../../../components/ui";
import { useTRPC } from "../../../trpc";
import { LaunchForm } from "../../../workspace/training/launch-form";
import { RunsQueue } from "../../../workspace/training/runs-queue";
import { useWorkspace } from "../../../workspace/workspace-context";

/** ?clone=ID: the launch form starts from that run's kind and config (clone and edit). */
function Launch() {
  const trpc = useTRPC();
  const params = useSearchParams();
  const cloneOf = Number(params.get("clone")) || null;
  const source = useQuery({ ...trpc.runs.get.queryOptions({ runId: cloneOf ?? 0 }), enabled: cloneOf !== null });
  useEffect(() => {
    if (cloneOf !== null && source.data) document.getElementById("launch")?.scrollIntoView();
  }, [cloneOf, source.data]);
  const title = cloneOf ? `Launch a run (a copy of run #${cloneOf}: edit what should change)` : "Launch a run";
  return (
    <section id="launch">
      <Card title={title}>
        {cloneOf !== null && source.isPending ? (
          <p className="text-sm text-slate-500">Loading run #{cloneOf}…</p>
        ) : (
          <>
            <ErrorMessage error={source.error} />
            <LaunchForm start={source.data ? { kind: source.data.run.kind, config: source.data.run.config } : undefined} />
          </>
        )}
      </Card>
    </section>
  );
}

export default function TrainingSection() {
  const project = useWorkspace();
  return (
    <div className="space-y-6">
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <Launch />
      </Suspense>
      <RunsQueue />
      {/* The loop's rounds (reward model → policy run → samples), each linking into this workspace. */}
      <RoundsNotebook projectId={project.id} links={{ run: (id) => runPath(project.name, id), policy: (id) => policyPath(project.name, id) }} />
      <RewardModelsCard projectId={project.id} />
    </div>
  );
}
