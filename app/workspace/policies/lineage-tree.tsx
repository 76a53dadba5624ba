"use client";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import type { AppRouter } from "../../../server/root";
import { Card, ErrorMessage } from "../../components/ui";
import { RunStatusBadge } from "../../runs/run-status";
import { useTRPC } from "../../trpc";
import { evaluationPath, playgroundPath, policyPath, runPath } from "../paths";
import { useWorkspace } from "../workspace-context";

export type LineageNode = inferRouterOutputs<AppRouter>["lineage"]["tree"][number];

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);
export const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? "–" : v.toFixed(digits));

/** The project's lineage, fetched once per visit (versions appear when runs finish; the runs page shows those live). */
export function useLineage() {
  const trpc = useTRPC();
  const project = useWorkspace();
  return useQuery(trpc.lineage.tree.queryOptions({ projectId: project.id }));
}

/** What made a version and how it measured: the run, its data, the held-out numbers against its parent, evaluations against a base. */
export function NodeFacts({ node }: { node: LineageNode }) {
  const project = useWorkspace();
  return (
    <dl className="mt-1 space-y-0.5 text-xs text-slate-600">
      {node.run ? (
        <div>
          <dt className="inline text-slate-400">Run: </dt>
          <dd className="inline">
            <Link className="text-indigo-700 underline" href={runPath(project.name, node.run.id)}>run #{node.run.id}</Link> ({node.run.kind}) <RunStatusBadge status={node.run.status} />
          </dd>
        </div>
      ) : (
        <div className="text-slate-400">{node.kind === "builtin" ? "Shipped with preflab" : node.kind === "imported" ? "Imported with the project's data" : node.kind === "external" ? "An external endpoint" : "No run of this database made it"}</div>
      )}
      {node.data && (
        <div>
          <dt className="inline text-slate-400">Data: </dt>
          <dd className="inline" data-testid="lineage-data">
            {node.data.description ?? "not logged"}
            {node.data.judgementsUntil && <span className="text-slate-400"> · the project's judgements as of {node.data.judgementsUntil.toLocaleString()}</span>}
          </dd>
        </div>
      )}
      {node.heldOut && (
        <div>
          <dt className="inline text-slate-400">Held out against {node.parent ?? "its start"}: </dt>
          <dd className="inline">
            KL {num(node.heldOut.klToParent)} · RM win rate {pct(node.heldOut.rewardWinRate)} · {node.heldOut.prompts ?? 0} prompts
          </dd>
        </div>
      )}
      {node.evaluations.map((e) => (
        <div key={e.runId}>
          <dt className="inline text-slate-400">Against {e.base}: </dt>
          <dd className="inline">
            RM win rate {pct(e.rewardWinRate)} · KL {num(e.klToBase)} · {e.prompts} prompts ·{" "}
            <Link className="text-indigo-700 underline" href={evaluationPath(project.name, e.runId)}>evaluation #{e.runId}</Link>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Branch({ node, childrenOf, highlight }: { node: LineageNode; childrenOf: Map<number | null, LineageNode[]>; highlight?: number }) {
  const project = useWorkspace();
  const children = childrenOf.get(node.id) ?? [];
  return (
    <li data-testid={`lineage-${node.label}`} aria-label={node.label}>
      <div className={`rounded border p-2 ${highlight === node.id ? "border-indigo-400 bg-indigo-50" : node.ofThisProject ? "border-slate-200 bg-white" : "border-dashed border-slate-200 bg-slate-50"}`}>
        <Link className="font-medium text-indigo-700 underline" href={policyPath(project.name, node.id)}>{node.label}</Link>
        <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">{node.kind}</span>
        {node.hasCheckpoint && <Link className="ml-2 text-xs text-indigo-700 underline" href={playgroundPath(project.name, node.id)}>try in the playground</Link>}
        <NodeFacts node={node} />
      </div>
      {children.length > 0 && (
        <ul className="ml-6 mt-2 space-y-2 border-l border-slate-200 pl-4">
          {children.map((c) => <Branch key={c.id} node={c} childrenOf={childrenOf} highlight={highlight} />)}
        </ul>
      )}
    </li>
  );
}

/** Versions as a tree: parent → child, roots first (the built-in policy, imported models). */
export function LineageTree({ highlight }: { highlight?: number }) {
  const lineage = useLineage();
  if (lineage.error) return <ErrorMessage error={lineage.error} />;
  const nodes = lineage.data ?? [];
  const childrenOf = new Map<number | null, LineageNode[]>();
  for (const n of nodes) childrenOf.set(n.parentId, [...(childrenOf.get(n.parentId) ?? []), n]);
  return (
    <Card title="Lineage">
      {lineage.isPending ? (
        <p className="text-sm text-slate-500">Loading versions…</p>
      ) : nodes.length === 0 ? (
        <p className="text-sm text-slate-500">No policy versions yet: train one (dpo, sft, kto, ppo, …) in the training section.</p>
      ) : (
        <ul className="space-y-2" aria-label="policy lineage">
          {(childrenOf.get(null) ?? []).map((root) => <Branch key={root.id} node={root} childrenOf={childrenOf} highlight={highlight} />)}
        </ul>
      )}
      <p className="mt-3 text-xs text-slate-500">Dashed: versions from outside this project (the built-in policy, imported models) that its versions or completions come from.</p>
    </Card>
  );
}
