"use client";
import Link from "next/link";
import { QualityCard } from "../../../workspace/labeling/quality-card";
import { SettingsCard } from "../../../workspace/labeling/settings-card";
import { useWorkspace } from "../../../workspace/workspace-context";

/** How labeling goes: progress, agreement and each annotator's quality, and the rules the queue follows. */
export default function LabelingSection() {
  const project = useWorkspace();
  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-600">
        Annotators label this project on <Link className="text-indigo-700 underline" href="/label">the labeling page</Link> (they pick {project.name} there).
      </p>
      <QualityCard projectId={project.id} />
      <SettingsCard projectId={project.id} />
    </div>
  );
}
