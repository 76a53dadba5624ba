"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Key } from "../components/keyboard-key";
import { Card, ErrorMessage } from "../components/ui";
import { useTRPC } from "../trpc";

/**
 * Choose a project: type to filter, Enter opens the first match, ↓/↑ or Tab reach the others.
 * Open task counts tell where help is needed. `battles`: the battle projects instead (/battle).
 */
export function ProjectPicker({ onPick, battles = false }: { onPick: (projectId: number) => void; battles?: boolean }) {
  const trpc = useTRPC();
  const labeling = useQuery({ ...trpc.projects.forLabeling.queryOptions(), enabled: !battles });
  const battling = useQuery({ ...trpc.battles.projects.queryOptions(), enabled: battles });
  const projects = battles ? battling : labeling;
  const [filter, setFilter] = useState("");
  if (projects.isPending) return <p className="text-slate-500">Loading projects…</p>;
  if (projects.error) return <ErrorMessage error={projects.error} />;
  const all: Array<{ id: number; name: string; openTasks?: number }> = projects.data ?? [];
  const shown = all.filter((p) => p.name.toLowerCase().includes(filter.trim().toLowerCase()));
  return (
    <Card title={battles ? "Choose a battle project" : "Choose a project to label"}>
      <input
        autoFocus
        aria-label="Find a project"
        placeholder="Type to filter, Enter to open"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && shown[0]) onPick(shown[0].id);
          if (e.key === "ArrowDown") (document.querySelector("[data-project-choice]") as HTMLElement | null)?.focus();
        }}
        className="mb-3 w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
      />
      {shown.length === 0 ? (
        <p className="text-sm text-slate-500">{projects.data?.length ? "No project matches." : battles ? "No project is in battle mode yet: a researcher turns it on in a project's Policies section." : "There are no projects yet: a researcher creates them."}</p>
      ) : (
        <ul className="divide-y divide-slate-100" onKeyDown={(e) => moveAmongChoices(e)}>
          {shown.map((p, i) => (
            <li key={p.id}>
              <button type="button" data-project-choice onClick={() => onPick(p.id)} className="flex w-full items-center gap-3 px-2 py-2 text-left hover:bg-slate-50 focus:bg-indigo-50 focus:outline-none">
                <span className="font-medium">{p.name}</span>
                {p.openTasks !== undefined && <span className="ml-auto text-sm tabular-nums text-slate-500">{p.openTasks.toLocaleString()} open tasks</span>}
                {i === 0 && <Key>Enter</Key>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** ↓/↑ between the project buttons (Tab works too; arrows are what lists invite). */
function moveAmongChoices(e: React.KeyboardEvent) {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  const choices = Array.from(document.querySelectorAll<HTMLElement>("[data-project-choice]"));
  const at = choices.indexOf(document.activeElement as HTMLElement);
  choices[Math.max(0, Math.min(choices.length - 1, at + (e.key === "ArrowDown" ? 1 : -1)))]?.focus();
  e.preventDefault();
}
