import type { LeasedTask } from "./types";

/** Every key of the labeling screen, by task kind: the `?` overlay lists exactly these. */
export interface KeyHelp {
  keys: string;
  action: string;
}

const COMMON: KeyHelp[] = [
  { keys: "Enter", action: "Submit the judgement (then the next task appears)" },
  { keys: "Ctrl+Enter", action: "Submit, also while typing in a field" },
  { keys: "R", action: "Write a rationale (optional)" },
  { keys: "Esc", action: "Leave a text field / close a dialog" },
  { keys: "S", action: "Skip the task (asks a reason)" },
  { keys: "F", action: "Flag the task: then 1 harmful, 2 broken, 3 unreadable, 4 other" },
  { keys: "U / Ctrl+Z", action: "Undo your last judgement (within the undo window)" },
  { keys: "G", action: "Show or hide the guidelines" },
  { keys: "P", action: "Change project" },
  { keys: "N", action: "Check for new tasks (when the queue is empty)" },
  { keys: "?", action: "Show or hide this list" },
];

const BY_KIND: Record<LeasedTask["kind"], KeyHelp[]> = {
  pair: [
    { keys: "A / ←", action: "Left is better" },
    { keys: "D / →", action: "Right is better" },
    { keys: "T", action: "Tie" },
    { keys: "X", action: "Both bad" },
    { keys: "1 2 3", action: "Strength: slightly, clearly, much better" },
  ],
  rank: [
    { keys: "J / ↓, K / ↑", action: "Focus the next / previous card" },
    { keys: "1 … 9", action: "Give the focused card that rank (1 = best)" },
    { keys: "0 / Backspace", action: "Clear the focused card's rank" },
    { keys: "Space, ↑ ↓, Space", action: "Lift the focused card, move it, drop it (Esc cancels)" },
  ],
  correction: [
    { keys: "1 … 9", action: "Choose the better completion" },
    { keys: "E", action: "Edit the chosen completion" },
  ],
};

export const keyHelp = (kind: LeasedTask["kind"] | null): KeyHelp[] => [...(kind ? BY_KIND[kind] : []), ...COMMON];
