import ReactMarkdown, { type Components } from "react-markdown";

/**
 * Completions and guidelines as safe Markdown. react-markdown builds React elements from a
 * syntax tree, so raw HTML in the text stays text (no rehype-raw, no dangerouslySetInnerHTML)
 * and its default URL filter drops `javascript:` links. Images are shown as their alt text: a
 * completion must not make the annotator's browser fetch anything.
 */
const components: Components = {
  p: ({ children }) => <p className="my-2 first:mt-0 last:mb-0">{children}</p>,
  ul: ({ children }) => <ul className="my-2 list-disc pl-6">{children}</ul>,
  ol: ({ children }) => <ol className="my-2 list-decimal pl-6">{children}</ol>,
  li: ({ children }) => <li className="my-0.5">{children}</li>,
  pre: ({ children }) => <pre className="my-2 overflow-x-auto rounded bg-slate-900 p-3 text-[0.8rem] leading-snug text-slate-100 [&>code]:bg-transparent [&>code]:px-0 [&>code]:text-slate-100">{children}</pre>,
  code: ({ children, className }) => <code className={className ?? "rounded bg-slate-100 px-1 font-mono text-[0.85em]"}>{children}</code>,
  blockquote: ({ children }) => <blockquote className="my-2 border-l-4 border-slate-200 pl-3 text-slate-600">{children}</blockquote>,
  h1: ({ children }) => <h3 className="my-2 text-base font-semibold">{children}</h3>,
  h2: ({ children }) => <h3 className="my-2 text-base font-semibold">{children}</h3>,
  h3: ({ children }) => <h4 className="my-2 font-semibold">{children}</h4>,
  a: ({ children, href }) => (
    <a href={href} className="text-indigo-700 underline" target="_blank" rel="noreferrer noopener nofollow">
      {children}
    </a>
  ),
  img: ({ alt }) => <span className="text-slate-500">[image{alt ? `: ${alt}` : ""}]</span>,
};

export function Markdown({ text, className = "" }: { text: string; className?: string }) {
  return (
    <div className={`break-words text-sm leading-relaxed ${className}`}>
      <ReactMarkdown components={components}>{text}</ReactMarkdown>
    </div>
  );
}
