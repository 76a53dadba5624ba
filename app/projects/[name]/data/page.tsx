"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ImportPanel } from "../../../workspace/data/import-panel";
import { Card } from "../../../components/ui";
import { useTRPC } from "../../../trpc";
import { useWorkspace } from "../../../workspace/workspace-context";

function ImportsTable() {
  const trpc = useTRPC();
  const project = useWorkspace();
  const imports = useQuery(trpc.projects.imports.queryOptions({ projectId: project.id }));
  const rows = imports.data ?? [];
  return (
    <Card title="Imports" actions={<Link className="text-sm text-indigo-700 underline" href={`/datasets?project=${project.id}`}>Export this project's judgements</Link>}>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">{imports.isPending ? "Loading…" : "Nothing imported into this project yet."}</p>
      ) : (
        <table className="w-full text-left text-sm" aria-label="imports">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1">File</th>
              <th>Format</th>
              <th className="text-right">Rows</th>
              <th className="text-right">Skipped</th>
              <th className="pl-4">When</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((i) => (
              <tr key={i.id} className="border-t border-slate-100">
                <td className="py-1.5">{i.fileName}</td>
                <td>{i.format}</td>
                <td className="text-right tabular-nums">{i.rowsImported.toLocaleString()}</td>
                <td className="text-right tabular-nums">{i.rowsSkipped.toLocaleString()}</td>
                <td className="pl-4 text-slate-500">{i.createdAt.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

/** Data in and out: imports into this project (prompts, completions, preference datasets) and the export. */
export default function DataSection() {
  const project = useWorkspace();
  return (
    <div className="space-y-6">
      <ImportPanel projectNames={[project.name]} project={project.name} />
      <ImportsTable />
    </div>
  );
}
