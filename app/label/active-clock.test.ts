import { describe, expect, it } from "vitest";
import { visibleMs } from "./active-clock";

describe("visibleMs", () => {
  it("is the wall-clock time when the page never hid", () => {
    expect(visibleMs(1000, 4000, [])).toBe(3000);
  });

  it("subtracts only the hidden part after the task was shown", () => {
    // Hidden 500..1500 (half before the task), and 2000..2500: 500 + 500 away of 3000.
    expect(visibleMs(1000, 4000, [{ start: 500, end: 1500 }, { start: 2000, end: 2500 }])).toBe(2000);
  });

  it("counts a span still open as hidden until now", () => {
    expect(visibleMs(1000, 4000, [{ start: 3000, end: null }])).toBe(2000);
  });

  it("ignores spans that ended before the task appeared", () => {
    expect(visibleMs(1000, 2000, [{ start: 0, end: 900 }])).toBe(1000);
  });
});
