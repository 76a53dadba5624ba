"use client";
import { Card } from "../../../components/ui";
import { EvaluationsList } from "../../../evaluation/evaluations-list";
import { NewEvaluationForm } from "../../../evaluation/new-evaluation-form";
import { useWorkspace } from "../../../workspace/workspace-context";

/** Policy versions against a base on held-out prompts: RM win rate, mean reward, KL, frontier, samples, human win rate. */
export default function EvaluationSection() {
  const project = useWorkspace();
  return (
    <div className="space-y-6">
      <Card title="New evaluation">
        <NewEvaluationForm key={project.id} projectId={project.id} />
      </Card>
      <EvaluationsList projectId={project.id} />
    </div>
  );
}
