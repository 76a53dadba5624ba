"use client";
import { use } from "react";
import { RunView } from "../../../../runs/run-view";
import { useWorkspace } from "../../../../workspace/workspace-context";

/** A run's deep link inside its project's workspace. */
export default function WorkspaceRunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const project = useWorkspace();
  return <RunView runId={Number(id)} project={project} />;
}
