"use client";
import { useState } from "react";
import { useKeyMap } from "../components/keyboard-hooks";
import { Key } from "../components/keyboard-key";
import { Button } from "../components/ui";
import { Modal } from "./modal";
import type { FlagReason } from "./types";

const REASONS: Array<{ value: FlagReason; label: string }> = [
  { value: "harmful", label: "Harmful" },
  { value: "broken", label: "Broken" },
  { value: "unreadable", label: "Unreadable" },
  { value: "other", label: "Other" },
];

/** Flag with one key: 1–4 picks the reason and sends; Tab reaches an optional note first. */
export function FlagDialog({ onFlag, onClose }: { onFlag: (reason: FlagReason, note: string) => void; onClose: () => void }) {
  const [note, setNote] = useState("");
  useKeyMap(Object.fromEntries(REASONS.map((r, i) => [String(i + 1), () => onFlag(r.value, note)])));
  return (
    <Modal title="Flag this task" onClose={onClose}>
      <p className="mb-3 text-sm text-slate-600">Flagged tasks leave the queue once enough people flag them.</p>
      <div className="mb-3 grid grid-cols-2 gap-2">
        {REASONS.map((r, i) => (
          <Button key={r.value} type="button" variant={r.value === "harmful" ? "danger" : "secondary"} onClick={() => onFlag(r.value, note)}>
            {r.label} <Key>{String(i + 1)}</Key>
          </Button>
        ))}
      </div>
      <label className="block text-sm">
        <span className="mb-1 block font-medium text-slate-700">Note (optional; Esc leaves the field)</span>
        <input
          value={note}
          onChange={(e) => setNote(e.target.value)}
          onKeyDown={(e) => e.key === "Escape" && (e.currentTarget.blur(), e.stopPropagation())}
          className="w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
        />
      </label>
    </Modal>
  );
}
