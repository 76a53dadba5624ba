"use client";
import { useQuery } from "@tanstack/react-query";
import { use, type ReactNode } from "react";
import { RequireRole } from "../../components/require-role";
import { ErrorMessage } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { WorkspaceProvider } from "../../workspace/workspace-context";
import { WorkspaceHeader } from "../../workspace/workspace-header";

/** A name as typed in the URL bar or encoded by a link (a literal "%" that is no escape stays as it is). */
function decodeName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function Workspace({ name, children }: { name: string; children: ReactNode }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.byName.queryOptions({ name }));
  if (project.isPending) return <p className="text-slate-500">Loading {name}…</p>;
  if (project.error) return <ErrorMessage error={project.error} />;
  return (
    <WorkspaceProvider project={project.data}>
      <WorkspaceHeader />
      {children}
    </WorkspaceProvider>
  );
}

/** /projects/[name]/...: one project's workspace, its header and section tabs above every section. */
export default function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ name: string }> }) {
  const { name } = use(params);
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <Workspace name={decodeName(name)}>{children}</Workspace>
    </RequireRole>
  );
}
