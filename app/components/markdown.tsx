import ReactMarkdown, { type Components } from "react-markdown";
import { splitInvisible } from "./invisible-chars";
import { InvisibleMark, VisibleText } from "./visible-text";

/** The parts of a rehype (HTML syntax) tree the invisible-character pass looks at. */
type HastNode = { type: string; value?: string; tagName?: string; properties?: Record<string, unknown>; children?: HastNode[] };

/** Every text node split into runs and a `span` per invisible character, rendered as an InvisibleMark below. */
function revealInvisible(node: HastNode): void {
  if (!node.children) return;
  node.children = node.children.flatMap((child): HastNode[] => {
    if (child.type !== "text") return (revealInvisible(child), [child]);
    return splitInvisible(child.value ?? "").map((s) =>
      typeof s === "string" ? { type: "text", value: s } : { type: "element", tagName: "span", properties: { dataInvisibleChar: s.char }, children: [] },
    );
  });
}
const rehypeRevealInvisible = () => revealInvisible;

/**
 * Completions and guidelines as safe Markdown. react-markdown builds React elements from a
 * syntax tree, so raw HTML in the text stays text (no rehype-raw, no dangerouslySetInnerHTML)
 * and its default URL filter empties `javascript:` (and any non-web) links: those render as
 * plain text, since an empty href would still open the page itself. Images are shown as their
 * alt text: a completion must not make the annotator's browser fetch anything. Invisible
 * characters are shown as markers (invisible-chars.ts); the block isolates its direction.
 */
const components: Components = {
  p: ({ children }) => <p className="my-2 first:mt-0 last:mb-0">{children}</p>,
  ul: ({ children }) => <ul className="my-2 list-disc ps-6">{children}</ul>,
  ol: ({ children }) => <ol className="my-2 list-decimal ps-6">{children}</ol>,
  li: ({ children }) => <li className="my-0.5">{children}</li>,
  pre: ({ children }) => <pre className="my-2 overflow-x-auto rounded bg-slate-900 p-3 text-[0.8rem] leading-snug text-slate-100 [&>code]:bg-transparent [&>code]:px-0 [&>code]:text-slate-100">{children}</pre>,
  code: ({ children, className }) => <code className={className ?? "rounded bg-slate-100 px-1 font-mono text-[0.85em]"}>{children}</code>,
  blockquote: ({ children }) => <blockquote className="my-2 border-s-4 border-slate-200 ps-3 text-slate-600">{children}</blockquote>,
  h1: ({ children }) => <h3 className="my-2 text-base font-semibold">{children}</h3>,
  h2: ({ children }) => <h3 className="my-2 text-base font-semibold">{children}</h3>,
  h3: ({ children }) => <h4 className="my-2 font-semibold">{children}</h4>,
  a: ({ children, href }) =>
    href ? (
      <a href={href} className="text-indigo-700 underline" target="_blank" rel="noreferrer noopener nofollow">
        {children}
      </a>
    ) : (
      <span className="underline decoration-dotted" title="A link to something other than a web page: shown as text">
        {children}
      </span>
    ),
  img: ({ alt }) => <span className="text-slate-500">[image{alt ? <>: <VisibleText text={alt} /></> : ""}]</span>,
  span: (props) => {
    const char = (props as Record<string, unknown>)["data-invisible-char"];
    const revealed = typeof char === "string" ? splitInvisible(char)[0] : undefined;
    return revealed && typeof revealed !== "string" ? <InvisibleMark char={revealed} /> : <span>{props.children}</span>;
  },
};

export function Markdown({ text, className = "" }: { text: string; className?: string }) {
  return (
    <div dir="auto" className={`wrap-anywhere text-sm leading-relaxed ${className}`}>
      <ReactMarkdown components={components} rehypePlugins={[rehypeRevealInvisible]}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
