import type { LeasedTask } from "./types";

/** The prompt as written (plain text, whitespace kept); a conversation shows each turn with its role. */
export function PromptView({ prompt }: { prompt: LeasedTask["prompt"] }) {
  const turns = prompt.messages?.length ? prompt.messages : [{ role: "", content: prompt.text }];
  return (
    <section aria-label="Prompt" className="rounded-lg border border-slate-200 bg-slate-100/70 p-4" data-testid="prompt">
      <h2 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Prompt</h2>
      <div className="max-h-[30vh] space-y-2 overflow-y-auto">
        {turns.map((m, i) => (
          <p key={i} className="whitespace-pre-wrap break-words text-sm leading-relaxed">
            {m.role && <span className="mr-1 font-semibold capitalize text-slate-600">{m.role}:</span>}
            {m.content}
          </p>
        ))}
      </div>
    </section>
  );
}
