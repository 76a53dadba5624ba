"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Card, ErrorMessage, Field, Select } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { useWorkspace } from "../workspace-context";

/** Two policies' completions for the same prompts, side by side, a page at a time. */
export function SampleBrowser({ initial }: { initial?: { left?: number; right?: number } }) {
  const trpc = useTRPC();
  const project = useWorkspace();
  const policies = useQuery(trpc.lineage.samplePolicies.queryOptions({ projectId: project.id }));
  const options = policies.data ?? [];
  const [picked, setPicked] = useState<{ left?: number; right?: number }>(initial ?? {});
  const [pages, setPages] = useState<number[]>([0]);
  // Defaults: the newest policy against the one before it.
  const left = picked.left ?? options.at(-1)?.id;
  const right = picked.right ?? options.at(-2)?.id;
  const after = pages.at(-1)!;
  const ready = left !== undefined && right !== undefined && left !== right;
  const samples = useQuery({ ...trpc.lineage.samples.queryOptions({ projectId: project.id, left: left ?? 0, right: right ?? 0, after }), enabled: ready });
  const pick = (side: "left" | "right", id: number) => {
    setPicked((p) => ({ left: p.left ?? left, right: p.right ?? right, [side]: id }));
    setPages([0]);
  };
  const label = (id: number | undefined) => options.find((p) => p.id === id)?.label ?? "–";
  return (
    <Card title="Samples side by side">
      {options.length < 2 ? (
        <p className="text-sm text-slate-500">Two policies need completions in this project: a sample run (or sampleAfter on a policy run) makes them.</p>
      ) : (
        <>
          <div className="mb-4 grid max-w-xl grid-cols-2 gap-4">
            {(["left", "right"] as const).map((side) => (
              <Field key={side} label={side === "left" ? "Left policy" : "Right policy"}>
                <Select value={(side === "left" ? left : right) ?? ""} onChange={(e) => pick(side, Number(e.target.value))}>
                  {options.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
                </Select>
              </Field>
            ))}
          </div>
          {left === right && <ErrorMessage error="Pick two different policies." />}
          <ErrorMessage error={samples.error} />
          {samples.data && samples.data.rows.length === 0 && <p className="text-sm text-slate-500">These two policies have not continued the same prompt in this project.</p>}
          <div className="space-y-3" aria-label="samples">
            {samples.data?.rows.map((r) => (
              <div key={r.promptId} data-testid="sample-pair">
                <p className="text-xs text-slate-500">{r.prompt}</p>
                <div className="mt-1 grid gap-2 md:grid-cols-2">
                  <p className="whitespace-pre-wrap rounded bg-indigo-50 p-2 text-sm">{r.left}<span className="block text-xs text-slate-500">{label(left)}</span></p>
                  <p className="whitespace-pre-wrap rounded bg-slate-50 p-2 text-sm">{r.right}<span className="block text-xs text-slate-500">{label(right)}</span></p>
                </div>
              </div>
            ))}
          </div>
          <div className="mt-3 flex gap-2">
            <Button variant="secondary" disabled={pages.length < 2} onClick={() => setPages((p) => p.slice(0, -1))}>Previous prompts</Button>
            <Button variant="secondary" disabled={!samples.data?.next} onClick={() => setPages((p) => [...p, samples.data!.next!])}>Next prompts</Button>
          </div>
        </>
      )}
    </Card>
  );
}
