"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useRouter } from "next/navigation";
import { useId, useMemo, useState, type FormEvent } from "react";
import type { RunKind } from "../../../db/enums";
import type { AppRouter } from "../../../server/root";
import { Button, ErrorMessage, Field, Select, TextArea } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { runPath } from "../paths";
import { useWorkspace } from "../workspace-context";
import { ConfigField, type FieldContext } from "./config-field";
import { fieldsOf, pathKey, withValue, type FieldSpec, type JsonSchema } from "./schema-fields";
import { configValidator, type ConfigIssue } from "./validate-config";

type KindSpec = inferRouterOutputs<AppRouter>["runs"]["kinds"][number];
export interface LaunchStart {
  kind: RunKind;
  config: Record<string, unknown>;
}

/** Each issue filed under the deepest field its path falls in ("policyIds.1" under policyIds); the rest stay general. */
function fileIssues(fields: FieldSpec[], issues: ConfigIssue[]): { byField: Record<string, string>; general: ConfigIssue[] } {
  const keys: string[] = [];
  const collect = (fs: FieldSpec[]) => fs.forEach((f) => (keys.push(pathKey(f.path)), f.control.kind === "object" && collect(f.control.fields)));
  collect(fields);
  const byField: Record<string, string> = {};
  const general: ConfigIssue[] = [];
  for (const issue of issues) {
    const at = pathKey(issue.path);
    const key = keys.filter((k) => at === k || at.startsWith(`${k}.`)).sort((a, b) => b.length - a.length)[0];
    if (key === undefined) general.push(issue);
    else byField[key] ??= issue.message;
  }
  return { byField, general };
}

/** The server's word on a refused config: each bad field's path and message (ServiceError.issues). */
const serverIssues = (error: unknown): ConfigIssue[] => ((error as { data?: { fieldIssues?: ConfigIssue[] | null } } | null)?.data?.fieldIssues ?? []);

function KindPicker({ kinds, kind, onChange }: { kinds: KindSpec[]; kind: KindSpec; onChange: (k: RunKind) => void }) {
  return (
    <div className="max-w-md">
      <Field label="Kind">
        <Select value={kind.kind} onChange={(e) => onChange(e.target.value as RunKind)} aria-describedby="run-kind-description">
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>{k.kind}</option>
          ))}
        </Select>
      </Field>
      {/* Outside the label: the description explains the kind, it is not part of the field's name. */}
      <p id="run-kind-description" className="mt-1 text-xs text-slate-500">{kind.description}</p>
    </div>
  );
}

/**
 * The form for one launch: a labelled control per config field, generated from the kind's schema,
 * checked in the browser by the same rules before anything is queued; the server's refusals land
 * beside their fields too. "Edit as JSON" shows the whole config for edits the fields do not offer.
 */
function KindForm({ kinds, start }: { kinds: KindSpec[]; start: LaunchStart }) {
  const trpc = useTRPC();
  const router = useRouter();
  const project = useWorkspace();
  const prefix = useId();
  const [kind, setKind] = useState<RunKind>(start.kind);
  const spec = kinds.find((k) => k.kind === kind) ?? kinds[0]!;
  const [config, setConfig] = useState<Record<string, unknown>>(start.config);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [issues, setIssues] = useState<ConfigIssue[]>([]);
  const [json, setJson] = useState<string | null>(null);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const fields = useMemo(() => fieldsOf(spec.jsonSchema as JsonSchema), [spec]);
  const validate = useMemo(() => configValidator(spec.jsonSchema), [spec]);
  const create = useMutation(trpc.runs.create.mutationOptions({
    onSuccess: (run) => router.push(runPath(project.name, run.id)),
    onError: (error) => setIssues(serverIssues(error)),
  }));
  const filed = fileIssues(fields, issues);
  const idOf = (path: readonly string[]) => `${prefix}-${path.join("-")}`;
  const ctx: FieldContext = {
    config, drafts, messages: filed.byField, idOf,
    setValue: (path, value, draft) => {
      setConfig((c) => withValue(c, path, value));
      setDrafts((d) => {
        const next = { ...d };
        if (draft === undefined) delete next[pathKey(path)];
        else next[pathKey(path)] = draft;
        return next;
      });
    },
  };

  const reset = (next: RunKind) => {
    setKind(next);
    setConfig(kinds.find((k) => k.kind === next)!.defaults);
    setDrafts({});
    setIssues([]);
    setJson(null);
  };
  const toggleJson = () => {
    if (json === null) return setJson(JSON.stringify(config, null, 2));
    try {
      setConfig(JSON.parse(json) as Record<string, unknown>);
      setDrafts({});
      setJson(null);
      setJsonError(null);
    } catch (e) {
      setJsonError(`The config is not valid JSON: ${(e as Error).message}`);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    let current = config;
    if (json !== null) {
      try {
        current = JSON.parse(json) as Record<string, unknown>;
        setJsonError(null);
      } catch (error) {
        return setJsonError(`The config is not valid JSON: ${(error as Error).message}`);
      }
    }
    const found = validate(current);
    setIssues(found);
    if (found.length === 0) return create.mutate({ kind, projectId: project.id, config: current });
    // Take the researcher to the first refused field (in form mode; JSON mode lists them below).
    const first = fileIssues(fields, found).byField;
    const key = Object.keys(first)[0];
    if (json === null && key) document.getElementById(idOf(key.split(".")))?.focus();
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="Launch a run">
      <KindPicker kinds={kinds} kind={spec} onChange={reset} />
      {json === null ? (
        <div className="grid gap-4 md:grid-cols-3" data-testid="config-fields">
          {fields.map((f) => <ConfigField key={f.name} field={f} ctx={ctx} />)}
        </div>
      ) : (
        <Field label="Config (JSON)">
          <TextArea className="h-64" mono value={json} onChange={(e) => setJson(e.target.value)} spellCheck={false} />
        </Field>
      )}
      {(json !== null ? issues : filed.general).length > 0 && (
        <ul role="alert" className="list-disc rounded border border-rose-200 bg-rose-50 py-2 pl-8 pr-3 text-sm text-rose-800" aria-label="Config problems">
          {(json !== null ? issues : filed.general).map((i) => (
            <li key={`${pathKey(i.path)}:${i.message}`}>{i.path.length ? <code>{pathKey(i.path)}</code> : "config"}: {i.message}</li>
          ))}
        </ul>
      )}
      <ErrorMessage error={jsonError ?? (create.error && serverIssues(create.error).length === 0 ? create.error : null)} />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={create.isPending}>Start training</Button>
        <Button type="button" variant="secondary" onClick={toggleJson}>{json === null ? "Edit as JSON" : "Edit as form"}</Button>
        {issues.length > 0 && <span className="text-sm text-rose-700">Nothing was queued: fix the fields marked above.</span>}
      </div>
    </form>
  );
}

/** The launch form of the workspace's training section; `start` pre-fills it (clone and edit). */
export function LaunchForm({ start }: { start?: LaunchStart }) {
  const trpc = useTRPC();
  const kinds = useQuery(trpc.runs.kinds.queryOptions());
  if (kinds.isPending) return <p className="text-sm text-slate-500">Loading run kinds…</p>;
  if (!kinds.data?.length) return <p className="text-sm text-slate-500">No training kinds are available in this build.</p>;
  const first = kinds.data[0]!;
  const initial = start && kinds.data.some((k) => k.kind === start.kind) ? start : { kind: first.kind, config: first.defaults };
  return <KindForm key={`${initial.kind}:${JSON.stringify(initial.config)}`} kinds={kinds.data} start={initial} />;
}
