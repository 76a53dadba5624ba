"use client";
import { useState } from "react";
import { Key } from "../components/keyboard-key";
import { Button } from "../components/ui";
import { Modal } from "./modal";

/** Skipping needs a reason (researchers read them); Enter sends, Esc goes back to the task. */
export function SkipDialog({ onSkip, onClose }: { onSkip: (reason: string) => void; onClose: () => void }) {
  const [reason, setReason] = useState("");
  return (
    <Modal title="Skip this task" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (reason.trim()) onSkip(reason.trim());
        }}
        className="space-y-3"
      >
        <label className="block text-sm">
          <span className="mb-1 block font-medium text-slate-700">Why do you skip it?</span>
          <input
            autoFocus
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="e.g. outside my expertise"
            className="w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
          />
        </label>
        <div className="flex gap-2">
          <Button type="submit" disabled={!reason.trim()}>
            Skip task <Key>Enter</Key>
          </Button>
          <Button type="button" variant="secondary" onClick={onClose}>
            Cancel <Key>Esc</Key>
          </Button>
        </div>
      </form>
    </Modal>
  );
}
