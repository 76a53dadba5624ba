/** A key hint as shown on buttons and in the help overlay: `<kbd>` so screen readers say "key". */
export function Key({ children }: { children: string }) {
  return <kbd className="ml-1.5 align-middle">{children}</kbd>;
}
