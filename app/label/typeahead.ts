import type { LeasedTask } from "./types";

/**
 * Typeahead: what happens to keys pressed while the labeling screen is busy between two tasks
 * (after Enter, a confirmed skip or flag, an undo or "check again", until the next task is on
 * screen with its keys bound). Dropping them loses a fast annotator's work; applying all of them
 * lets a key judge a task nobody has looked at. Keyboard-first tools avoid the gap (Prodigy keeps
 * a queue of tasks in the browser, so the next one is there at once); preflab leases one task at
 * a time, so it keeps the keys and applies them by this rule:
 *
 * - A key pressed while the task it lands on is on screen always counts (it only waited for the
 *   keys before it).
 * - A key pressed before the task appeared (blind) counts when it cannot commit anything:
 *   choices (outcome, strength, rank numbers, focus moves, the keyboard drag, which completion
 *   to correct) are applied in order as a pre-selection the annotator sees before pressing Enter,
 *   and only on a task of the kind they were pressed on (a "2" means "clearly better" on a pair
 *   and "completion 2" on a correction). U / Ctrl+Z undoes as always: the last judgement is one
 *   the annotator has seen, and the keys after it go to the task the undo brings back.
 * - A blind Enter, Ctrl+Enter, S or F would submit, skip or flag a task the annotator has not
 *   seen, and a blind E or R would type into it: never applied. That key and every blind key after
 *   it (meant for the task after that) are dropped.
 * - Keys held for a task that does not come (the action failed, the queue is empty) are dropped.
 * Whatever is dropped is named in a note on the screen, so no key vanishes silently.
 *
 * Pure (no DOM, no React), so the rule is unit-tested; use-typeahead.ts holds and replays.
 */

export type TaskKind = LeasedTask["kind"];

const CHOICE = new Set(["a", "d", "t", "x", "arrowleft", "arrowright", "arrowup", "arrowdown", "j", "k", "space", "backspace", ..."0123456789"]);
const UNDO = new Set(["u", "ctrl+z"]);
const STOP = new Set(["enter", "ctrl+enter", "s", "f", "e", "r"]);

/** Bindings (keyboard.ts bindingOf) the screen holds while busy; any other key acts at once as usual. */
export const isTypeaheadKey = (binding: string): boolean => CHOICE.has(binding) || UNDO.has(binding) || STOP.has(binding);

/** A held key: its binding, the event to replay, and the task on screen when it was pressed (viewId 0: none). */
export interface HeldKey {
  binding: string;
  init: KeyboardEventInit;
  viewId: number;
  kind: TaskKind | null;
}

/** The task the held keys are about to land on. */
export interface LiveTask {
  viewId: number;
  kind: TaskKind;
}

/**
 * What to do with the next held key on `task`: run it, drop it, or drop it and stop (every later
 * blind key is dropped too: `stopped` carries that along for this task).
 */
export function judgeKey(key: HeldKey, task: LiveTask, stopped: boolean): "run" | "drop" | "stop" {
  if (key.viewId === task.viewId) return "run";
  if (stopped || STOP.has(key.binding)) return "stop";
  if (UNDO.has(key.binding)) return "run";
  return key.kind === task.kind ? "run" : "drop";
}

const ARROWS: Record<string, string> = { arrowleft: "←", arrowright: "→", arrowup: "↑", arrowdown: "↓" };

/** How a binding is written on screen: "Enter", "Ctrl+Z", "←", "T". */
export function keyLabel(binding: string): string {
  if (ARROWS[binding]) return ARROWS[binding];
  return binding
    .split("+")
    .map((part) => (part.length === 1 ? part.toUpperCase() : part[0]!.toUpperCase() + part.slice(1)))
    .join("+");
}

/** The note for keys dropped because no task they were meant for came, or it came unseen. */
export function droppedNote(keys: readonly HeldKey[], why: "unseen" | "failed"): string {
  const list = keys.map((k) => keyLabel(k.binding)).join(", ");
  return why === "unseen"
    ? `Not applied, pressed before this task appeared: ${list}. Look at the task, then press them again.`
    : `Not applied, pressed while the last action was running: ${list}.`;
}

/** The rule in one paragraph, for the help overlay. */
export const TYPEAHEAD_HELP =
  "Keys pressed while a task is being saved are kept for the next one. Choices (A, D, T, X, numbers, arrows, J, K, 0, Backspace, Space) are applied to it in order if it is the same kind of task, and U still undoes; you see them before you submit. Enter, S, F, E and R are never applied to a task you have not seen yet: they and the keys after them are dropped, and a note names them.";
