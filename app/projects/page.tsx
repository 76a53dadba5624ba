"use client";
import { useQuery } from "@tanstack/react-query";
import { RequireRole } from "../components/require-role";
import { useTRPC } from "../trpc";
import { ImportPanel } from "../workspace/data/import-panel";
import { ProjectsTable } from "./projects-table";

function Projects() {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Projects</h1>
      <ProjectsTable />
      <ImportPanel projectNames={(projects.data ?? []).map((p) => p.name)} />
    </div>
  );
}

/** Every project, each opening its workspace; importing a file into a new name creates a project. */
export default function ProjectsPage() {
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <Projects />
    </RequireRole>
  );
}
