"use client";
import { createContext, useContext, type ReactNode } from "react";

/** The project a workspace page shows: every section reads it from here, never from its own URL parsing. */
export interface WorkspaceProject {
  id: number;
  name: string;
}

const WorkspaceContext = createContext<WorkspaceProject | null>(null);

export function WorkspaceProvider({ project, children }: { project: WorkspaceProject; children: ReactNode }) {
  return <WorkspaceContext.Provider value={project}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceProject {
  const project = useContext(WorkspaceContext);
  if (!project) throw new Error("useWorkspace() outside a /projects/[name] page");
  return project;
}
