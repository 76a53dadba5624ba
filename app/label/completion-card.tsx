import type { ReactNode } from "react";
import { Markdown } from "../components/markdown";

/** One completion as annotators see it: a label with its key, the Markdown body, a selected state. */
export function CompletionCard({
  label,
  selected,
  badge,
  children,
  text,
  testId,
}: {
  label: ReactNode;
  selected?: boolean;
  badge?: ReactNode;
  children?: ReactNode;
  text: string;
  testId?: string;
}) {
  return (
    <article
      data-testid={testId}
      className={`flex min-w-0 flex-col rounded-lg border bg-white p-4 shadow-sm transition ${
        selected ? "border-indigo-500 ring-2 ring-indigo-200" : "border-slate-200"
      }`}
    >
      <header className="mb-2 flex items-center gap-2 text-sm font-medium text-slate-600">
        {label}
        <span className="ml-auto">{badge}</span>
      </header>
      <div className="max-h-[55vh] overflow-y-auto" data-testid="completion-text">
        <Markdown text={text} />
      </div>
      {children}
    </article>
  );
}
