"use client";
import { useSecondsLeft } from "./toast";

/** Below this, the lease expiry is worth the annotator's attention. */
const WARN_SECONDS = 120;

const clock = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

/** Shown only when the lease is about to expire (or has): the answer may then be refused. */
export function LeaseWarning({ expiresAt }: { expiresAt: Date }) {
  const left = useSecondsLeft(expiresAt);
  if (left > WARN_SECONDS) return null;
  return (
    <p role="status" className="rounded bg-amber-50 px-2 py-1 text-sm text-amber-900" data-testid="lease-warning">
      {left > 0
        ? `Your hold on this task ends in ${clock(left)}; submit soon or it may go to someone else.`
        : "Your hold on this task has ended; submitting still works unless someone else took it."}
    </p>
  );
}
