import { describe, expect, it } from "vitest";
import { bindingOf, dispatchKey, isTypingTarget, shouldHandle } from "./keyboard";

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});
const el = (tagName: string, type?: string) => ({ tagName, getAttribute: (n: string) => (n === "type" ? (type ?? null) : null) });

describe("bindingOf", () => {
  it("names plain, modified and special keys the way key maps spell them", () => {
    expect(bindingOf(key("a"))).toBe("a");
    expect(bindingOf(key("A", { shiftKey: true }))).toBe("a");
    expect(bindingOf(key("?", { shiftKey: true }))).toBe("?");
    expect(bindingOf(key("z", { ctrlKey: true }))).toBe("ctrl+z");
    expect(bindingOf(key("z", { metaKey: true }))).toBe("ctrl+z");
    expect(bindingOf(key("Enter", { ctrlKey: true }))).toBe("ctrl+enter");
    expect(bindingOf(key("ArrowUp", { shiftKey: true }))).toBe("shift+arrowup");
    expect(bindingOf(key(" "))).toBe("space");
  });
});

describe("typing targets", () => {
  it("treats text fields as typing and buttons, checkboxes and cards as not", () => {
    expect(isTypingTarget(el("TEXTAREA"))).toBe(true);
    expect(isTypingTarget(el("INPUT"))).toBe(true);
    expect(isTypingTarget(el("input", "search"))).toBe(true);
    expect(isTypingTarget(el("INPUT", "checkbox"))).toBe(false);
    expect(isTypingTarget(el("BUTTON"))).toBe(false);
    expect(isTypingTarget({ tagName: "DIV", isContentEditable: true })).toBe(true);
    expect(isTypingTarget(el("DIV"))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });

  it("lets only Ctrl+Enter and Escape through from a text field", () => {
    expect(shouldHandle("a", el("TEXTAREA"))).toBe(false);
    expect(shouldHandle("enter", el("TEXTAREA"))).toBe(false);
    expect(shouldHandle("ctrl+enter", el("TEXTAREA"))).toBe(true);
    expect(shouldHandle("escape", el("INPUT"))).toBe(true);
    expect(shouldHandle("a", el("DIV"))).toBe(true);
  });

  it("leaves Enter and Space on a focused button to the button", () => {
    expect(shouldHandle("enter", el("BUTTON"))).toBe(false);
    expect(shouldHandle("space", el("A"))).toBe(false);
    expect(shouldHandle("a", el("BUTTON"))).toBe(true);
    expect(shouldHandle("enter", el("DIV"))).toBe(true);
  });
});

describe("dispatchKey", () => {
  it("runs the bound action once and reports whether it did", () => {
    const calls: string[] = [];
    const map = { a: () => calls.push("left"), arrowleft: () => calls.push("left"), "ctrl+enter": () => calls.push("submit") };
    expect(dispatchKey(map, key("a"), el("DIV"))).toBe(true);
    expect(dispatchKey(map, key("ArrowLeft"), el("DIV"))).toBe(true);
    expect(dispatchKey(map, key("b"), el("DIV"))).toBe(false);
    expect(dispatchKey(map, key("a"), el("TEXTAREA"))).toBe(false);
    expect(dispatchKey(map, key("Enter", { ctrlKey: true }), el("TEXTAREA"))).toBe(true);
    expect(calls).toEqual(["left", "left", "submit"]);
  });
});
