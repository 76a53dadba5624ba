import { existsSync, readFileSync } from "node:fs";

/**
 * This process's peak resident memory in MiB: VmHWM, since on Linux getrusage's maxRSS carries
 * the parent's peak across fork+exec. A module of its own (no TensorFlow.js behind it), so a
 * bench child process that measures its own peak does not load tfjs to read it.
 */
export function peakRssMiB(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(existsSync("/proc/self/status") ? readFileSync("/proc/self/status", "utf8") : "");
  return (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024;
}
