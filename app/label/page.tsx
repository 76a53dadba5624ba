"use client";
import { RequireRole } from "../components/require-role";
import { LabelSession } from "./label-session";
import { ProjectPicker } from "./project-picker";
import { useLastProject } from "./use-last-project";

function LabelScreen() {
  const { projectId, ready, choose } = useLastProject();
  if (!ready) return null;
  if (projectId === null) return <ProjectPicker onPick={choose} />;
  return <LabelSession key={projectId} projectId={projectId} onChangeProject={() => choose(null)} />;
}

export default function LabelPage() {
  return (
    <RequireRole roles={["annotator", "researcher", "admin"]}>
      <LabelScreen />
    </RequireRole>
  );
}
