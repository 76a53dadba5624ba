"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import type { QueueOrder } from "../../db/enums";
import type { ProjectSettings } from "../../db/types";
import { Field, Select } from "../components/ui";
import { useTRPC } from "../trpc";

const ORDERS: Array<{ value: QueueOrder; label: string }> = [
  { value: "oldest", label: "Oldest first (default)" },
  { value: "uncertainty", label: "Reward-model uncertainty: least sure pairs first" },
  { value: "disagreement", label: "Annotator disagreement: split tasks first" },
];

/** How the queue is ordered right now: what the last re-scoring pass did, or why it has not yet. */
function CurrentOrder({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.queueOrder.status.queryOptions({ projectId }), refetchInterval: (q) => (q.state.data?.pending ? 3000 : false) });
  // Saving the form re-scores the queue on the server: read the new state once the saved settings arrive.
  const saved = useQuery(trpc.projects.get.queryOptions({ projectId })).data?.settings;
  const { refetch } = status;
  useEffect(() => void refetch(), [saved?.queueOrder, saved?.queueRewardModelId, refetch]);
  const s = status.data;
  if (!s) return <span>Current order: oldest first.</span>;
  const model = s.rewardModel ? ` with reward model ${s.rewardModel.name} (${s.rewardModel.kind})` : "";
  const when = s.scoredAt ? `, ${s.tasksScored.toLocaleString()} tasks scored ${s.scoredAt.toLocaleString()}` : "";
  return (
    <span data-testid="queue-order-status">
      Current order: {s.queueOrder}{model}{when}.{s.note && <> {s.note}.</>}
    </span>
  );
}

/**
 * The queue-order settings of a project (part of the labeling settings form: `settings` and
 * `onChange` are the form's). A new sample run's tasks still come first; the order applies
 * within each priority band.
 */
export function QueueOrderFields({ projectId, settings, onChange }: { projectId: number; settings: ProjectSettings; onChange: (next: ProjectSettings) => void }) {
  const trpc = useTRPC();
  const models = useQuery({ ...trpc.rewardModels.list.queryOptions({ projectId }), enabled: settings.queueOrder === "uncertainty" });
  return (
    <>
      <Field label="Queue order" hint={<CurrentOrder projectId={projectId} />}>
        <Select value={settings.queueOrder} onChange={(e) => onChange({ ...settings, queueOrder: e.target.value as QueueOrder })}>
          {ORDERS.map((o) => (
            <option key={o.value} value={o.value}>{o.label}</option>
          ))}
        </Select>
      </Field>
      {settings.queueOrder === "uncertainty" && (
        <Field label="Reward model for uncertainty" hint="|σ(r_a − r_b) − ½| small first; re-scored when a reward model or a sample run finishes.">
          <Select value={settings.queueRewardModelId ?? ""} onChange={(e) => onChange({ ...settings, queueRewardModelId: e.target.value === "" ? null : Number(e.target.value) })}>
            <option value="">The project&apos;s newest (default)</option>
            {(models.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>{m.name} ({m.kind})</option>
            ))}
          </Select>
        </Field>
      )}
    </>
  );
}
