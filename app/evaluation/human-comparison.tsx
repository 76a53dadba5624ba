"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, ErrorMessage } from "../components/ui";
import { useTRPC } from "../trpc";
import type { Evaluation } from "./evaluation-card";

/** "Create blind human comparison": says exactly how many pair tasks it adds before adding them. */
export function HumanComparison({ evaluation }: { evaluation: Evaluation }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const runId = evaluation.run.id;
  const plan = useQuery({ ...trpc.evaluations.humanPlan.queryOptions({ runId }), enabled: confirming });
  const create = useMutation(trpc.evaluations.createHumanEvaluation.mutationOptions({
    onSuccess: async () => {
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: trpc.evaluations.pathKey() });
    },
  }));
  const pending = evaluation.rows.filter((r) => r.policyId !== evaluation.base?.id && r.humanRun === null);
  const started = evaluation.rows.filter((r) => r.humanRun !== null);
  return (
    <div className="mt-5 border-t border-slate-100 pt-4 text-sm">
      {started.length > 0 && (
        <p className="mb-2 text-slate-600" data-testid="human-comparison-status">
          Blind human comparison requested for {started.map((r) => r.policy).join(", ")}: annotators judge the pairs in the normal queue without seeing policy names; the human win rate fills in as they do.
        </p>
      )}
      {pending.length > 0 && !confirming && (
        <Button variant="secondary" onClick={() => setConfirming(true)}>Create blind human comparison</Button>
      )}
      {confirming && (
        <div role="dialog" aria-label="Confirm blind human comparison" className="rounded border border-amber-200 bg-amber-50 p-3">
          {plan.data ? (
            <p>
              This adds <strong data-testid="human-task-count">{plan.data.tasks}</strong> pair tasks to the labeling queue at high priority:{" "}
              {plan.data.policies.map((p) => `${p.policy} against ${evaluation.base?.label} on ${p.prompts} prompts`).join("; ")}. Each is judged by the project&apos;s
              usual number of annotators, who never see which policy wrote which answer.
            </p>
          ) : (
            <p className="text-slate-500">Counting tasks…</p>
          )}
          <div className="mt-2 flex gap-2">
            <Button onClick={() => create.mutate({ runId })} disabled={!plan.data || create.isPending}>
              {plan.data ? `Create ${plan.data.tasks} tasks` : "Create"}
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)}>Cancel</Button>
          </div>
          <ErrorMessage error={plan.error ?? create.error} />
        </div>
      )}
    </div>
  );
}
