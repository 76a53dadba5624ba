"use client";
import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { RequireRole } from "../components/require-role";
import { Field, Select } from "../components/ui";
import { useTRPC } from "../trpc";
import { RoundsNotebook } from "./rounds-notebook";

/** The project named by ?project=ID, else the first one. */
function RoundsPage() {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  if (projects.isPending) return <p className="text-slate-500">Loading projects…</p>;
  const list = projects.data ?? [];
  const asked = Number(params.get("project"));
  const selected = list.find((p) => p.id === asked)?.id ?? list[0]?.id ?? null;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Rounds</h1>
      {selected === null ? (
        <p className="text-sm text-slate-500">No projects yet: import data first.</p>
      ) : (
        <>
          <div className="max-w-xs">
            <Field label="Project">
              <Select value={selected} onChange={(e) => router.replace(`${pathname}?project=${e.target.value}`)}>
                {list.map((p) => (
                  <option key={p.id} value={p.id}>{p.name}</option>
                ))}
              </Select>
            </Field>
          </div>
          <RoundsNotebook key={selected} projectId={selected} />
        </>
      )}
    </div>
  );
}

export default function Page() {
  return (
    <RequireRole roles={["researcher", "admin"]}>
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <RoundsPage />
      </Suspense>
    </RequireRole>
  );
}
