import { Fragment } from "react";
import { splitInvisible, type InvisibleChar } from "./invisible-chars";

const markTitle = (c: InvisibleChar) => `${c.code} ${c.name}: an invisible character in the text, shown here instead of applied`;

/**
 * A subtle marker where the text holds an invisible character (the character itself is not in
 * the DOM, so a right-to-left override reorders nothing). Hover or a screen reader gives its name.
 */
export function InvisibleMark({ char }: { char: InvisibleChar }) {
  return (
    <span
      role="img"
      aria-label={`${char.code} ${char.name}`}
      title={markTitle(char)}
      data-invisible={char.code}
      className="mx-px inline-block select-none rounded-sm border border-amber-300 bg-amber-50 px-0.5 align-baseline font-mono text-[0.65em] leading-tight text-amber-800"
    >
      {char.short}
    </span>
  );
}

/** Plain text with its invisible characters revealed (prompts, the correction diff, alt text). */
export function VisibleText({ text }: { text: string }) {
  return (
    <>
      {splitInvisible(text).map((s, i) => (typeof s === "string" ? <Fragment key={i}>{s}</Fragment> : <InvisibleMark key={i} char={s} />))}
    </>
  );
}
