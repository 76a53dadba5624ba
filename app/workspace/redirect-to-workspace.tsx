"use client";
import { useQuery } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect } from "react";
import { useTRPC } from "../trpc";
import { workspacePath, type SectionSlug } from "./paths";

/**
 * Sends an old URL (/dashboard, /evaluation, with or without ?project=ID) to a workspace section:
 * the project the URL names, else the first project; the projects list when there is none.
 */
export function RedirectToWorkspace({ section, fallback = "/projects" }: { section: SectionSlug; fallback?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const projects = useQuery(trpc.projects.forLabeling.queryOptions());
  const asked = Number(params.get("project"));
  useEffect(() => {
    if (!projects.data) return;
    const project = projects.data.find((p) => p.id === asked) ?? (params.has("project") || section === "" ? undefined : projects.data[0]);
    router.replace(project ? workspacePath(project.name, section) : fallback);
  }, [projects.data, asked, params, section, fallback, router]);
  return <p className="text-slate-500">Opening the workspace…</p>;
}
