import cliProgress from "cli-progress";

/**
 * A progress bar on a terminal, silence elsewhere (pipes, CI logs): output meant for files or
 * other programs never gets escape codes mixed into it. The bar goes to stderr.
 */
export function terminalProgress(label: string, total: number, unit: string) {
  if (!process.stderr.isTTY) return { update: (_value: number, _extra?: string) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} {extra}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { extra: "" });
  return {
    update: (value: number, extra = "") => bar.update(Math.min(value, total), { extra }),
    stop: () => bar.stop(),
  };
}
