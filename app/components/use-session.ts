"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc";

/** The signed-in user (or null) and whether the instance still needs its first admin. */
export function useSession() {
  const trpc = useTRPC();
  const status = useQuery(trpc.auth.status.queryOptions());
  return {
    loading: status.isPending,
    user: status.data?.user ?? null,
    needsSetup: status.data?.needsSetup ?? false,
  };
}
