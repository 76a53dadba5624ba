import { VisibleText } from "../components/visible-text";
import type { LeasedTask } from "./types";

/**
 * The prompt as written (plain text, whitespace kept, invisible characters shown as markers); a
 * conversation shows each turn with its role. Each turn's text is isolated (bdi): its direction
 * comes from its own first letter and cannot reorder the role label beside it.
 */
export function PromptView({ prompt }: { prompt: LeasedTask["prompt"] }) {
  const turns = prompt.messages?.length ? prompt.messages : [{ role: "", content: prompt.text }];
  return (
    <section aria-label="Prompt" className="rounded-lg border border-slate-200 bg-slate-100/70 p-4" data-testid="prompt">
      <h2 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Prompt</h2>
      <div className="max-h-[30vh] space-y-2 overflow-y-auto">
        {turns.map((m, i) => (
          <p key={i} className="whitespace-pre-wrap wrap-anywhere text-sm leading-relaxed">
            {m.role && <span className="me-1 font-semibold capitalize text-slate-600">{m.role}:</span>}
            <bdi data-testid="prompt-text">
              <VisibleText text={m.content} />
            </bdi>
          </p>
        ))}
      </div>
    </section>
  );
}
