"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Button, Card, ErrorMessage, Field, Select, TextArea, TextInput } from "../../components/ui";
import { useTRPC } from "../../trpc";
import { useWorkspace } from "../workspace-context";
import type { GenerateSettings, Generation } from "./browser-generate";

type Phase =
  | { kind: "idle" }
  | { kind: "loading"; bytes: number }
  | { kind: "generating"; tokens: number; startedAt: number; promptTokens: number; maxNewTokens: number }
  | { kind: "done"; tokens: number; seconds: number; stopped: boolean }
  | { kind: "failed"; message: string };

const DEFAULTS: GenerateSettings = { maxNewTokens: 32, temperature: 0.9, topK: 50, seed: null };

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const rate = (tokens: number, seconds: number) => `${seconds > 0 ? (tokens / seconds).toFixed(1) : "–"} tokens/s`;

function statusLine(phase: Phase): string {
  switch (phase.kind) {
    case "idle": return "Ready: the model loads into this tab on the first Generate.";
    case "loading": return `Loading model ${megabytes(phase.bytes)}…`;
    case "generating": {
      const seconds = (performance.now() - phase.startedAt) / 1000;
      return `Generating: ${phase.tokens} of at most ${phase.maxNewTokens} tokens after a ${phase.promptTokens}-token prompt, ${rate(phase.tokens, seconds)}`;
    }
    case "done": return `${phase.stopped ? "Stopped" : "Done"}: ${phase.tokens} tokens in ${phase.seconds.toFixed(2)} s, ${rate(phase.tokens, phase.seconds)}`;
    case "failed": return "Failed";
  }
}

/** A number field of the settings: empty or invalid input keeps the last valid value. */
function NumberSetting({ label, hint, value, min, max, step, onChange }: { label: string; hint: string; value: number | null; min: number; max: number; step: number; onChange: (v: number | null) => void }) {
  return (
    <Field label={label} hint={hint}>
      <TextInput
        type="number" min={min} max={max} step={step} value={value ?? ""} placeholder={value === null ? "random" : undefined}
        onChange={(e) => {
          const v = e.target.value === "" ? null : Number(e.target.value);
          if (v === null || (Number.isFinite(v) && v >= min && v <= max)) onChange(v);
        }}
      />
    </Field>
  );
}

/**
 * The playground: a policy version continues a prompt in this browser tab, with transformers.js
 * running the version's ONNX export on onnxruntime-web (WebAssembly). The server hands out files only.
 */
export function Playground({ initialPolicy }: { initialPolicy?: number }) {
  const trpc = useTRPC();
  const project = useWorkspace();
  const policies = useQuery(trpc.lineage.playgroundPolicies.queryOptions({ projectId: project.id }));
  const [picked, setPicked] = useState<number | undefined>(initialPolicy);
  const policy = policies.data?.find((p) => p.id === picked) ?? policies.data?.at(-1);
  const [prompt, setPrompt] = useState("The film was");
  const [settings, setSettings] = useState<GenerateSettings>(DEFAULTS);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [output, setOutput] = useState<{ prompt: string; text: string; label: string } | null>(null);
  const running = useRef<Generation | null>(null);
  /** How many generations this tab started (tests and screen readers tell one run's "Done" from the next). */
  const [count, setCount] = useState(0);
  const busy = phase.kind === "loading" || phase.kind === "generating";
  useEffect(() => () => running.current?.stop(), []);

  const generate = async () => {
    if (!policy) return;
    setCount((n) => n + 1);
    setOutput({ prompt, text: "", label: policy.label });
    setPhase({ kind: "loading", bytes: 0 });
    let startedAt = 0;
    let tokens = 0;
    try {
      // Loaded on demand: transformers.js is in no bundle until someone generates.
      const { generateInBrowser } = await import("./browser-generate");
      const generation = generateInBrowser(policy.id, prompt, settings, {
        onLoadProgress: (bytes) => setPhase({ kind: "loading", bytes }),
        onStart: (budget) => {
          startedAt = performance.now();
          setPhase({ kind: "generating", tokens: 0, startedAt, ...budget });
        },
        onText: (text) => setOutput((o) => o && { ...o, text: o.text + text }),
        onToken: (n) => {
          tokens = n;
          setPhase((p) => (p.kind === "generating" ? { ...p, tokens: n } : p));
        },
      });
      running.current = generation;
      await generation.done;
      const stopped = running.current === null;
      setPhase({ kind: "done", tokens, seconds: startedAt ? (performance.now() - startedAt) / 1000 : 0, stopped });
    } catch (error) {
      setPhase({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    } finally {
      running.current = null;
    }
  };
  const stop = () => {
    running.current?.stop();
    running.current = null;
  };

  return (
    <Card title="Playground">
      <p className="mb-4 text-sm text-slate-600">
        A policy version continues your prompt in this browser tab: transformers.js runs the version&apos;s ONNX export on WebAssembly. The server only sends the files; no tensor is computed on it.
      </p>
      <ErrorMessage error={policies.error} />
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void generate();
        }}
      >
        <div className="grid gap-4 md:grid-cols-5">
          <div className="md:col-span-2">
            <Field label="Policy version" hint="Versions of this project with a checkpoint, and the built-in policy.">
              <Select value={policy?.id ?? ""} onChange={(e) => setPicked(Number(e.target.value))} disabled={busy}>
                {policies.data?.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
              </Select>
            </Field>
          </div>
          <NumberSetting label="Max new tokens" hint={`default ${DEFAULTS.maxNewTokens}`} value={settings.maxNewTokens} min={1} max={512} step={1} onChange={(v) => v !== null && setSettings((s) => ({ ...s, maxNewTokens: v }))} />
          <NumberSetting label="Temperature" hint={`default ${DEFAULTS.temperature}; 0 is greedy`} value={settings.temperature} min={0} max={5} step={0.1} onChange={(v) => v !== null && setSettings((s) => ({ ...s, temperature: v }))} />
          <NumberSetting label="Top-k" hint={`default ${DEFAULTS.topK}; 0 keeps every token`} value={settings.topK} min={0} max={100000} step={1} onChange={(v) => v !== null && setSettings((s) => ({ ...s, topK: v }))} />
        </div>
        <div className="grid gap-4 md:grid-cols-5">
          <div className="md:col-span-4">
            <Field label="Prompt">
              <TextArea rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
            </Field>
          </div>
          <NumberSetting label="Seed" hint="empty: random; a seed repeats a continuation" value={settings.seed} min={0} max={2 ** 31} step={1} onChange={(v) => setSettings((s) => ({ ...s, seed: v }))} />
        </div>
        <div className="flex items-center gap-2">
          <Button type="submit" disabled={busy || !policy || prompt.length === 0}>Generate</Button>
          <Button type="button" variant="secondary" disabled={!busy} onClick={stop}>Stop</Button>
          <p className="text-sm text-slate-600" role="status" data-testid="playground-status" data-phase={phase.kind} data-generation={count}>{statusLine(phase)}</p>
        </div>
      </form>
      {phase.kind === "failed" && <ErrorMessage error={phase.message} />}
      {output && (
        <div className="mt-4">
          <p className="whitespace-pre-wrap rounded bg-slate-50 p-3 text-sm" aria-label="continuation" aria-live="polite">
            <span className="text-slate-500">{output.prompt}</span>
            <span className="text-slate-900" data-testid="playground-continuation">{output.text}</span>
          </p>
          <p className="mt-1 text-xs text-slate-500" data-testid="playground-provenance">
            Generated in your browser by transformers.js from {output.label}&apos;s ONNX export.
          </p>
        </div>
      )}
    </Card>
  );
}
