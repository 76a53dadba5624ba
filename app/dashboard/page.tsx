"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Suspense } from "react";
import { RequireRole } from "../components/require-role";
import { Card } from "../components/ui";
import { useUrlProject } from "../components/use-url-project";
import { useTRPC } from "../trpc";
import { ImportPanel } from "./import-panel";
import { LeaderboardCard } from "./leaderboard-card";
import { QualityCard } from "./quality-card";
import { RewardModelsCard } from "./reward-models-card";
import { RunsCard } from "./runs-card";
import { SettingsCard } from "./settings-card";

function ProjectsTable({ selected, onSelect }: { selected: number | null; onSelect: (id: number) => void }) {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  if (projects.isPending) return <p className="text-slate-500">Loading projects…</p>;
  const rows = projects.data ?? [];
  return (
    <Card title="Projects">
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">No projects yet: import a file below to create one.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1">Project</th>
              <th className="text-right">Prompts</th>
              <th className="text-right">Tasks</th>
              <th className="text-right">Open tasks</th>
              <th className="text-right">Judgements</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.id} className={`border-t border-slate-100 ${selected === p.id ? "bg-indigo-50" : ""}`} data-testid={`project-${p.name}`}>
                <td className="py-1.5 font-medium">
                  <button className="text-left hover:underline" onClick={() => onSelect(p.id)} aria-pressed={selected === p.id}>
                    {p.name}
                  </button>
                </td>
                <td className="text-right tabular-nums">{p.prompts.toLocaleString()}</td>
                <td className="text-right tabular-nums">{p.tasks.toLocaleString()}</td>
                <td className="text-right tabular-nums">{p.openTasks.toLocaleString()}</td>
                <td className="text-right tabular-nums" data-testid="judgement-count">
                  {p.judgements.toLocaleString()}
                </td>
                <td className="text-right">
                  <Link className="text-indigo-700 underline" href={`/datasets?project=${p.id}`}>
                    Export
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function Dashboard() {
  const { projects, selected, select } = useUrlProject("/dashboard");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      <ProjectsTable selected={selected} onSelect={select} />
      {selected !== null && (
        <>
          <QualityCard projectId={selected} />
          <LeaderboardCard projectId={selected} />
          <RunsCard projectId={selected} />
          <RewardModelsCard projectId={selected} />
          <SettingsCard projectId={selected} />
        </>
      )}
      <ImportPanel projectNames={(projects.data ?? []).map((p) => p.name)} />
    </div>
  );
}

export default function DashboardPage() {
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <Dashboard />
      </Suspense>
    </RequireRole>
  );
}
