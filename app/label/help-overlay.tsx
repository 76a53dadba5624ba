"use client";
import { useKeyMap } from "../components/keyboard-hooks";
import { Modal } from "./modal";
import { keyHelp } from "./key-list";
import { TYPEAHEAD_HELP } from "./typeahead";
import type { LeasedTask } from "./types";

/** The `?` overlay: every key for the task on screen, then the ones that always work. */
export function HelpOverlay({ kind, onClose }: { kind: LeasedTask["kind"] | null; onClose: () => void }) {
  useKeyMap({ "?": onClose });
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} wide>
      <table className="w-full text-sm">
        <tbody>
          {keyHelp(kind).map((k) => (
            <tr key={k.keys + k.action} className="border-t border-slate-100">
              <td className="whitespace-nowrap py-1.5 pr-4">
                <kbd>{k.keys}</kbd>
              </td>
              <td className="py-1.5 text-slate-700">{k.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-3 text-xs text-slate-500">Keys do nothing while you type in a field, except Ctrl+Enter and Esc.</p>
      <p className="mt-1 text-xs text-slate-500" data-testid="typeahead-help">
        {TYPEAHEAD_HELP}
      </p>
    </Modal>
  );
}
