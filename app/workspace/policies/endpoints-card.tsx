"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ENDPOINT_MODES, type EndpointMode } from "../../../db/enums";
import { Button, Card, ErrorMessage, Field, Select, TextInput } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { useWorkspace } from "../workspace-context";

const EMPTY = { name: "", url: "", model: "", apiKey: "", mode: "completions" as EndpointMode, timeoutSeconds: 60, concurrency: 4, retries: 2 };

/** Registers an OpenAI-compatible endpoint (vLLM, llama.cpp's server, Ollama, another preflab) as an external policy. */
function RegisterForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const project = useWorkspace();
  const [form, setForm] = useState(EMPTY);
  const register = useMutation(trpc.endpoints.register.mutationOptions({ onSuccess: () => (setForm(EMPTY), onDone()) }));
  const set = <K extends keyof typeof EMPTY>(key: K, value: (typeof EMPTY)[K]) => setForm({ ...form, [key]: value });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    register.mutate({ projectId: project.id, ...form, apiKey: form.apiKey || null });
  };
  return (
    <form onSubmit={submit} aria-label="Register an endpoint" className="mt-4 border-t border-slate-100 pt-4">
      <h3 className="mb-3 text-sm font-semibold text-slate-700">Register an endpoint</h3>
      <div className="grid gap-3 md:grid-cols-3">
        <Field label="Policy name" hint="Registering a name again makes its next version.">
          <TextInput required value={form.name} onChange={(e) => set("name", e.target.value)} />
        </Field>
        <Field label="Base URL" hint="e.g. http://localhost:8000/v1 (vLLM), http://localhost:11434/v1 (Ollama)">
          <TextInput required type="url" value={form.url} onChange={(e) => set("url", e.target.value)} />
        </Field>
        <Field label="Model" hint="The model field of each request.">
          <TextInput required value={form.model} onChange={(e) => set("model", e.target.value)} />
        </Field>
        <Field label="API key" hint="Optional; sent as a bearer token, never shown again.">
          <TextInput type="password" autoComplete="off" value={form.apiKey} onChange={(e) => set("apiKey", e.target.value)} />
        </Field>
        <Field label="Mode" hint="chat: messages to /v1/chat/completions; completions: the prompt text to /v1/completions.">
          <Select value={form.mode} onChange={(e) => set("mode", e.target.value as EndpointMode)}>
            {ENDPOINT_MODES.map((m) => <option key={m} value={m}>{m}</option>)}
          </Select>
        </Field>
        <div className="grid grid-cols-3 gap-2">
          <Field label="Timeout (s)"><TextInput type="number" min={1} value={form.timeoutSeconds} onChange={(e) => set("timeoutSeconds", Number(e.target.value))} /></Field>
          <Field label="In flight"><TextInput type="number" min={1} value={form.concurrency} onChange={(e) => set("concurrency", Number(e.target.value))} /></Field>
          <Field label="Retries"><TextInput type="number" min={0} value={form.retries} onChange={(e) => set("retries", Number(e.target.value))} /></Field>
        </div>
      </div>
      <div className="mt-3 flex items-center gap-3">
        <Button type="submit" disabled={register.isPending}>Register endpoint</Button>
        {register.isSuccess && <span role="status" className="text-sm text-emerald-700">Registered {register.data.label}.</span>}
      </div>
      <ErrorMessage error={register.error} />
    </form>
  );
}

/** One short request to the endpoint, and what came back: the answer or the error a sample run would get. */
function CheckButton({ policyId }: { policyId: number }) {
  const trpc = useTRPC();
  const check = useMutation(trpc.endpoints.check.mutationOptions());
  return (
    <div>
      <Button variant="secondary" onClick={() => check.mutate({ policyId })} disabled={check.isPending}>{check.isPending ? "Checking…" : "Check"}</Button>
      {check.data?.ok && <p role="status" className="mt-1 text-xs text-emerald-700">Answered in {check.data.seconds.toFixed(1)} s: “{check.data.text}”</p>}
      {check.data && !check.data.ok && <p role="alert" className="mt-1 text-xs text-rose-700">{check.data.error}</p>}
      <ErrorMessage error={check.error} />
    </div>
  );
}

/** The project's external policies: where each is served, how it is called, and a check of each. */
export function EndpointsCard() {
  const trpc = useTRPC();
  const project = useWorkspace();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.endpoints.list.queryOptions({ projectId: project.id }));
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.endpoints.list.queryKey({ projectId: project.id }) });
    void queryClient.invalidateQueries({ queryKey: trpc.lineage.tree.queryKey({ projectId: project.id }) });
  };
  return (
    <Card title="External policies (OpenAI-compatible endpoints)">
      <ErrorMessage error={list.error} />
      {list.data?.length === 0 && <p className="text-sm text-slate-500">None yet: sample runs, evaluations and battles call a registered endpoint like a built-in policy.</p>}
      {!!list.data?.length && (
        <table className="w-full text-left text-sm" data-testid="endpoints">
          <thead className="text-slate-500">
            <tr><th className="py-1">Policy</th><th>Endpoint</th><th>Model</th><th>Calls</th><th>Key</th><th /></tr>
          </thead>
          <tbody>
            {list.data.map((p) => (
              <tr key={p.id} className="border-t border-slate-100 align-top">
                <td className="py-2 font-medium">{p.label}</td>
                <td className="break-all pr-2">{p.url}</td>
                <td className="break-all pr-2">{p.model}</td>
                <td className="text-xs text-slate-600">{p.mode}, {p.timeoutSeconds} s timeout, {p.concurrency} in flight, {p.retries} retries</td>
                <td>{p.hasApiKey ? "yes" : "no"}</td>
                <td className="w-64"><CheckButton policyId={p.id} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RegisterForm onDone={refresh} />
    </Card>
  );
}
