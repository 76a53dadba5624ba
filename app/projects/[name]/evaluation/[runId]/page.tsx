"use client";
import Link from "next/link";
import { use } from "react";
import { EvaluationsList } from "../../../../evaluation/evaluations-list";
import { workspacePath } from "../../../../workspace/paths";
import { useWorkspace } from "../../../../workspace/workspace-context";

/** One evaluation's deep link. */
export default function EvaluationPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = use(params);
  const project = useWorkspace();
  return (
    <div className="space-y-4">
      <Link className="text-sm text-indigo-700 underline" href={workspacePath(project.name, "evaluation")}>All evaluations of {project.name}</Link>
      <EvaluationsList projectId={project.id} runId={Number(runId)} />
    </div>
  );
}
