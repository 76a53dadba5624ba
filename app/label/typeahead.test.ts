import { describe, expect, it } from "vitest";
import { droppedNote, isTypeaheadKey, judgeKey, keyLabel, type HeldKey, type LiveTask, type TaskKind } from "./typeahead";

const held = (bindings: string, viewId: number, kind: TaskKind | null = "pair"): HeldKey[] =>
  bindings.split(" ").map((binding) => ({ binding, init: {}, viewId, kind }));

/** The held keys as the replay meets them, one by one, until an undo (which waits for its own task). */
function replay(keys: HeldKey[], task: LiveTask) {
  const run: string[] = [];
  const dropped: string[] = [];
  let stopped = false;
  for (const key of keys) {
    const verdict = judgeKey(key, task, stopped);
    stopped ||= verdict === "stop";
    (verdict === "run" ? run : dropped).push(key.binding);
    if (verdict === "run" && key.viewId !== task.viewId && (key.binding === "u" || key.binding === "ctrl+z")) break;
  }
  return { run, dropped };
}

const next: LiveTask = { viewId: 2, kind: "pair" };

describe("judgeKey: keys pressed before the task appeared", () => {
  it("applies choices in order to a task of the same kind", () => {
    expect(replay(held("d 2", 1), next)).toEqual({ run: ["d", "2"], dropped: [] });
    expect(replay(held("j 3 arrowup space", 1, "rank"), { viewId: 2, kind: "rank" })).toEqual({ run: ["j", "3", "arrowup", "space"], dropped: [] });
  });

  it("drops choices pressed on another kind of task: a 2 on a pair is not completion 2 of a correction", () => {
    expect(replay(held("d 2", 1, "pair"), { viewId: 2, kind: "correction" })).toEqual({ run: [], dropped: ["d", "2"] });
    expect(replay(held("a", 0, null), next)).toEqual({ run: [], dropped: ["a"] });
  });

  it("never submits, skips, flags or types into an unseen task, and drops every blind key after such a key", () => {
    expect(replay(held("d 2 enter t enter", 1), next)).toEqual({ run: ["d", "2"], dropped: ["enter", "t", "enter"] });
    for (const stop of ["ctrl+enter", "s", "f", "e", "r"]) expect(replay(held(`${stop} a`, 1), next)).toEqual({ run: [], dropped: [stop, "a"] });
  });

  it("undoes (the last judgement was seen) and leaves the keys after it for the task the undo brings back", () => {
    expect(replay(held("u d 2", 1), next)).toEqual({ run: ["u"], dropped: [] });
    expect(replay(held("ctrl+z", 1), next)).toEqual({ run: ["ctrl+z"], dropped: [] });
  });
});

describe("judgeKey: keys pressed with the task on screen", () => {
  it("applies every key, Enter included, also after a blind key was stopped", () => {
    const keys = [...held("enter a", 1), ...held("t enter", 2)];
    expect(replay(keys, next)).toEqual({ run: ["t", "enter"], dropped: ["enter", "a"] });
    expect(replay(held("s", 2, "rank"), next)).toEqual({ run: ["s"], dropped: [] });
  });
});

describe("what is held, and how dropped keys are named", () => {
  it("holds the task keys and lets every other key act at once", () => {
    for (const key of ["a", "1", "0", "space", "arrowleft", "backspace", "enter", "ctrl+enter", "u", "ctrl+z", "s", "f", "e", "r"]) expect(isTypeaheadKey(key)).toBe(true);
    for (const key of ["g", "?", "p", "n", "escape", "tab", "ctrl+r", "f5"]) expect(isTypeaheadKey(key)).toBe(false);
  });

  it("writes keys as the help overlay does", () => {
    expect(["enter", "ctrl+enter", "ctrl+z", "arrowleft", "t", "2", "space"].map(keyLabel)).toEqual(["Enter", "Ctrl+Enter", "Ctrl+Z", "←", "T", "2", "Space"]);
    expect(droppedNote(held("enter t", 1), "unseen")).toBe("Not applied, pressed before this task appeared: Enter, T. Look at the task, then press them again.");
    expect(droppedNote(held("a 2", 1), "failed")).toBe("Not applied, pressed while the last action was running: A, 2.");
  });
});
