"use client";
import Link from "next/link";
import { use } from "react";
import { Card } from "../../../../components/ui";
import { policyPath, workspacePath } from "../../../../workspace/paths";
import { NodeFacts, useLineage } from "../../../../workspace/policies/lineage-tree";
import { SampleBrowser } from "../../../../workspace/policies/sample-browser";
import { useWorkspace } from "../../../../workspace/workspace-context";

/** One version's deep link: where it comes from (root to it), what made it, its children, and its samples beside its parent's. */
export default function PolicyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const project = useWorkspace();
  const lineage = useLineage();
  const nodes = lineage.data ?? [];
  const node = nodes.find((n) => n.id === Number(id));
  if (lineage.isPending) return <p className="text-slate-500">Loading version…</p>;
  if (!node) return <p className="text-sm text-slate-500">Policy {id} is not part of {project.name}'s lineage.</p>;
  const ancestry = [node];
  for (let at = node; at.parentId !== null; ) {
    const parent = nodes.find((n) => n.id === at.parentId);
    if (!parent || ancestry.includes(parent)) break;
    ancestry.unshift((at = parent));
  }
  const children = nodes.filter((n) => n.parentId === node.id);
  const link = (n: { id: number; label: string }) => <Link key={n.id} className="text-indigo-700 underline" href={policyPath(project.name, n.id)}>{n.label}</Link>;
  return (
    <div className="space-y-6">
      <Link className="text-sm text-indigo-700 underline" href={workspacePath(project.name, "policies")}>All versions of {project.name}</Link>
      <Card title={`Policy ${node.label}`}>
        <p className="text-sm" aria-label="ancestry">
          {ancestry.map((n, i) => (
            <span key={n.id}>{i > 0 && " → "}{n.id === node.id ? <strong>{n.label}</strong> : link(n)}</span>
          ))}
        </p>
        <NodeFacts node={node} />
        <p className="mt-2 text-sm text-slate-600">Children: {children.length ? children.map((c, i) => <span key={c.id}>{i > 0 && ", "}{link(c)}</span>) : "none yet"}</p>
      </Card>
      {node.parentId !== null && <SampleBrowser key={node.id} initial={{ left: node.id, right: node.parentId }} />}
    </div>
  );
}
