"use client";
import { useQuery } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useTRPC } from "../trpc";

/**
 * The project a page shows, kept in the URL (`?project=ID`) so that a reload or a shared link
 * shows the same view; the first project when the URL names none (or one that is gone).
 */
export function useUrlProject(path: string) {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const params = useSearchParams();
  const router = useRouter();
  const fromUrl = Number(params.get("project"));
  const selected = projects.data?.find((p) => p.id === fromUrl)?.id ?? projects.data?.[0]?.id ?? null;
  const select = (id: number) => router.replace(`${path}?project=${id}`, { scroll: false });
  return { projects, selected, select };
}
