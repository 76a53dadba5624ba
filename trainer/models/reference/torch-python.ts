// The Python that runs preflab's PyTorch references and benchmarks: the first of PATH's `python3`
// and Debian's /usr/bin/python3 that imports torch. Both are tried because a pyenv (or venv)
// python3 first on PATH usually lacks Debian's python3-torch, which only /usr/bin/python3 sees.
import { spawn, spawnSync } from "node:child_process";

const CANDIDATES = ["python3", "/usr/bin/python3"];

export type TorchPython = { available: true; python: string; torchVersion: string } | { available: false; reason: string };

let found: TorchPython | undefined;

/** Probes once per process; `reason` says what was tried when no candidate imports torch. */
export function findTorchPython(): TorchPython {
  if (found) return found;
  const tried: string[] = [];
  for (const python of CANDIDATES) {
    const probe = spawnSync(python, ["-c", "import torch, numpy; print(torch.__version__)"], { encoding: "utf8" });
    if (probe.status === 0) return (found = { available: true, python, torchVersion: probe.stdout.trim() });
    const why = probe.error ? probe.error.message : (probe.stderr.trim().split("\n").pop() ?? `exit ${probe.status}`);
    tried.push(`${python}: ${why}`);
  }
  return (found = { available: false, reason: `no python3 imports torch and numpy (install Debian's python3-torch): ${tried.join("; ")}` });
}

/**
 * Runs a Python script with the torch-capable interpreter and resolves with its stdout; rejects
 * with the end of its stderr on failure. Awaited, not blocking, so a Vitest worker keeps answering
 * while a reference or a benchmark runs. -B: no __pycache__ written into the repository.
 */
export function runTorchScript(script: string, args: string[], input?: string, timeoutMs = 30 * 60_000): Promise<string> {
  const torch = findTorchPython();
  if (!torch.available) return Promise.reject(new Error(torch.reason));
  return new Promise((resolve, reject) => {
    const child = spawn(torch.python, ["-B", script, ...args], { timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(stdout);
      reject(new Error(`${script} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
    });
    child.stdin.end(input ?? "");
  });
}
