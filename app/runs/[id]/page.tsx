"use client";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { use, useEffect } from "react";
import { RequireRole } from "../../components/require-role";
import { ErrorMessage } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { runPath } from "../../workspace/paths";
import { RunView, useRunDetails } from "../run-view";

/** A run of a project opens in that project's workspace; a run without one (pretrain) is shown here. */
function RunOrWorkspace({ runId }: { runId: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const details = useRunDetails(runId);
  const projectId = details.data?.run.projectId ?? null;
  const project = useQuery({ ...trpc.projects.get.queryOptions({ projectId: projectId ?? 0 }), enabled: projectId !== null });
  useEffect(() => {
    if (project.data) router.replace(runPath(project.data.name, runId));
  }, [project.data, router, runId]);
  if (details.error) return <ErrorMessage error={details.error} />;
  // A project that is gone leaves the run without a workspace: it is shown here.
  if (!details.data || (projectId !== null && !project.error)) return <p className="text-slate-500">Loading run…</p>;
  return <RunView runId={runId} />;
}

export default function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <RunOrWorkspace runId={Number(id)} />
    </RequireRole>
  );
}
