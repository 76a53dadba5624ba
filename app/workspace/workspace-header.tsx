"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { Select } from "../components/ui";
import { useTRPC } from "../trpc";
import { SECTIONS, sectionOf, workspacePath } from "./paths";
import { useWorkspace } from "./workspace-context";

/** Another project, same section: a researcher comparing projects stays where they were looking. */
function ProjectSwitcher() {
  const { id, name } = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const projects = useQuery(trpc.projects.forLabeling.queryOptions());
  return (
    <div className="w-56">
      <Select
        aria-label="Project"
        value={id}
        onChange={(e) => {
          const next = projects.data?.find((p) => p.id === Number(e.target.value));
          if (next) router.push(workspacePath(next.name, sectionOf(pathname)));
        }}
      >
        {(projects.data ?? [{ id, name }]).map((p) => (
          <option key={p.id} value={p.id}>{p.name}</option>
        ))}
      </Select>
    </div>
  );
}

/** The project name, the switcher and the section tabs: on every workspace page, so the current project is always in view. */
export function WorkspaceHeader() {
  const { name } = useWorkspace();
  const pathname = usePathname();
  const current = sectionOf(pathname);
  return (
    <div className="mb-6 border-b border-slate-200">
      <div className="flex flex-wrap items-center gap-4">
        <p className="text-sm text-slate-500">
          <Link href="/projects" className="hover:underline">Projects</Link> /
        </p>
        <h1 className="text-2xl font-semibold" data-testid="workspace-project">{name}</h1>
        <div className="ml-auto flex items-center gap-4">
          <ProjectSwitcher />
          <Link className="text-sm text-indigo-700 underline" href="/label">Label</Link>
        </div>
      </div>
      <nav aria-label="Workspace sections" className="mt-4 flex gap-1">
        {SECTIONS.map((s) => (
          <Link
            key={s.slug}
            href={workspacePath(name, s.slug)}
            aria-current={current === s.slug ? "page" : undefined}
            className={`-mb-px rounded-t px-3 py-2 text-sm ${current === s.slug ? "border border-b-white border-slate-200 bg-white font-medium text-slate-900" : "text-slate-500 hover:text-slate-900"}`}
          >
            {s.label}
          </Link>
        ))}
      </nav>
    </div>
  );
}
