"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { IMPORT_FORMATS } from "../../../db/enums";
import { Button, Card, ErrorMessage, Field, ProgressBar, Select, TextInput } from "../../components/ui";
import { uploadImport, type ImportEvent, type UploadProgress } from "./upload-import";

const PHASE_LABEL = { uploading: "Uploading", validating: "Checking every row", writing: "Writing" } as const;

/** `project` pre-fills the project field (a workspace imports into its own project unless told otherwise). */
export function ImportPanel({ projectNames, project: initialProject = "" }: { projectNames: string[]; project?: string }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [project, setProject] = useState(initialProject);
  const [format, setFormat] = useState("auto");
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [result, setResult] = useState<Extract<ImportEvent, { type: "report" | "error" }> | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !project.trim()) return;
    setResult(null);
    setFailure(null);
    setProgress({ phase: "uploading", fraction: 0, rows: 0 });
    try {
      setResult(await uploadImport(file, { project: project.trim(), format, skipInvalid }, setProgress));
      await queryClient.invalidateQueries();
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setProgress(null);
    }
  };

  return (
    <Card title="Import data">
      <form onSubmit={submit} className="grid gap-4 md:grid-cols-2">
        <Field label="File" hint="JSON Lines, a JSON array, CSV, any of them gzipped: prompts, prompt + completions, TRL or Anthropic HH pairs, Chatbot Arena battles.">
          <input type="file" name="file" accept=".jsonl,.json,.csv,.gz" onChange={(e) => setFile(e.target.files?.[0] ?? null)} className="text-sm" />
        </Field>
        <Field label="Project" hint="An existing project, or a new name to create one.">
          <TextInput name="project" list="project-names" value={project} onChange={(e) => setProject(e.target.value)} placeholder="e.g. movie-reviews" />
          <datalist id="project-names">
            {projectNames.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </Field>
        <Field label="Format">
          <Select name="format" value={format} onChange={(e) => setFormat(e.target.value)}>
            <option value="auto">Detect from the first row</option>
            {IMPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </Select>
        </Field>
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} />
          Skip invalid rows (otherwise nothing is imported unless every row is valid)
        </label>
        <div className="md:col-span-2">
          <Button type="submit" disabled={!file || !project.trim() || progress !== null}>
            Import
          </Button>
        </div>
      </form>
      {progress && (
        <div className="mt-4">
          <ProgressBar value={progress.fraction} label={`${PHASE_LABEL[progress.phase]}… ${progress.rows ? `${progress.rows.toLocaleString()} rows` : ""}`} />
        </div>
      )}
      <ErrorMessage error={failure} />
      {result && <ImportResult result={result} />}
    </Card>
  );
}

function ImportResult({ result }: { result: Extract<ImportEvent, { type: "report" | "error" }> }) {
  if (result.type === "error") return <ErrorMessage error={result.message} />;
  if (result.ok)
    return (
      <p role="status" className="mt-4 rounded border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
        Imported {result.imported.toLocaleString()} rows ({result.format}).
        {result.skipped > 0 && ` Skipped ${result.skipped.toLocaleString()} invalid rows.`}
      </p>
    );
  return (
    <div role="alert" className="mt-4 rounded border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-900">
      <p className="font-medium">Nothing was imported: {result.problemCount.toLocaleString()} problem(s).</p>
      <ul className="mt-2 max-h-60 list-disc overflow-auto pl-5">
        {result.problems.map((p) => (
          <li key={`${p.record ?? ""}-${p.line}-${p.reason}`}>
            {p.record ? `Record ${p.record} (line ${p.line}): ` : p.line > 0 ? `Line ${p.line}: ` : ""}
            {p.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}
