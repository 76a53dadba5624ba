"use client";
import { useQuery } from "@tanstack/react-query";
import { Card } from "../components/ui";
import { useTRPC } from "../trpc";
import { AutoLoopControls } from "./auto-loop-controls";
import { RoundCard, type RoundLinks } from "./round-card";

const DEFAULT_LINKS: RoundLinks = { run: (runId) => `/runs/${runId}` };

/**
 * A project's loop as a lab notebook (issue 10): the auto-loop's settings and "start the next round
 * now", then every round newest first with the judgements it used, its reward model, policy and
 * sample runs, the policy it made and the results. Self-contained: mount it anywhere with a
 * project id (and the page's own links to runs and policies, if it has them).
 */
export function RoundsNotebook({ projectId, links = DEFAULT_LINKS }: { projectId: number; links?: RoundLinks }) {
  const trpc = useTRPC();
  // Poll while a round is running: its steps finish in the worker.
  const list = useQuery({ ...trpc.rounds.list.queryOptions({ projectId }), refetchInterval: (q) => (q.state.data?.status.running ? 3000 : false) });
  if (list.isPending) return <p className="text-slate-500">Loading rounds…</p>;
  if (!list.data) return null;
  const { rounds, status } = list.data;
  return (
    <div className="space-y-4">
      <Card title="Auto-loop: reward model → policy run → samples to label">
        <AutoLoopControls key={projectId} projectId={projectId} status={status} />
      </Card>
      <section aria-label="Rounds" className="space-y-3">
        {rounds.length === 0 ? (
          <p className="text-sm text-slate-500">No rounds yet: start one, or turn the auto-loop on and let the judgements arrive.</p>
        ) : (
          rounds.map((round) => <RoundCard key={round.id} round={round} links={links} />)
        )}
      </section>
    </div>
  );
}
