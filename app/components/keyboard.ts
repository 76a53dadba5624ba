/**
 * Pure key handling shared by the labeling screen: which element swallows plain keys, and how a
 * KeyboardEvent maps onto a binding such as "ctrl+z", "shift+arrowup" or "?". Kept free of React
 * so it is unit-tested without a DOM.
 */

/** The parts of a KeyboardEvent a binding looks at (a real event satisfies it). */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** The parts of an event target that tell whether the person is typing (an Element satisfies it). */
export interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
  getAttribute?: (name: string) => string | null;
}

const TYPING_INPUTS = new Set(["text", "search", "email", "password", "url", "tel", "number", ""]);

/** True when plain keys belong to the field under the cursor (text inputs, textareas, selects). */
export function isTypingTarget(target: TargetLike | null | undefined): boolean {
  if (!target?.tagName) return false;
  const tag = target.tagName.toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) return true;
  if (tag !== "INPUT") return false;
  return TYPING_INPUTS.has((target.getAttribute?.("type") ?? "").toLowerCase());
}

/**
 * The binding name of an event: modifiers in a fixed order, then the key lower-cased. Shift is
 * left out for printable characters, where it already changed the key ("?" not "shift+/").
 */
export function bindingOf(e: KeyLike): string {
  const key = e.key.toLowerCase();
  const printable = e.key.length === 1;
  const mods = [e.ctrlKey || e.metaKey ? "ctrl" : "", e.altKey ? "alt" : "", e.shiftKey && !printable ? "shift" : ""].filter(Boolean);
  return [...mods, key === " " ? "space" : key].join("+");
}

/** Bindings that still work inside a text field: submit and leave the field. */
export const FIELD_BINDINGS = new Set(["ctrl+enter", "escape"]);

/** Enter and Space on a focused button or link keep their native meaning (press that button). */
const NATIVE_ACTIVATION = new Set(["enter", "space"]);
const isActivatable = (target: TargetLike | null | undefined) => ["BUTTON", "A", "SUMMARY"].includes(target?.tagName?.toUpperCase() ?? "");

/** Whether a binding should run, given where the key was pressed. */
export function shouldHandle(binding: string, target: TargetLike | null | undefined): boolean {
  if (NATIVE_ACTIVATION.has(binding) && isActivatable(target)) return false;
  return !isTypingTarget(target) || FIELD_BINDINGS.has(binding);
}

/** A key map: binding → action. Several bindings may share one action ("a" and "arrowleft"). */
export type KeyMap = Record<string, (() => void) | undefined>;

/** Runs the action bound to the event, if any; returns whether it did (so the caller can preventDefault). */
export function dispatchKey(map: KeyMap, e: KeyLike, target: TargetLike | null | undefined): boolean {
  const binding = bindingOf(e);
  const action = map[binding];
  if (!action || !shouldHandle(binding, target)) return false;
  action();
  return true;
}
