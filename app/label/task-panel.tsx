"use client";
import { useCallback, useLayoutEffect, useRef, useState, type ComponentType, type RefObject } from "react";
import { useKeyMap } from "../components/keyboard-hooks";
import { Key } from "../components/keyboard-key";
import { TextArea } from "../components/ui";
import { ActionBar } from "./action-bar";
import { CorrectionTask } from "./correction-task";
import { LeaseWarning } from "./lease-warning";
import { PairTask } from "./pair-task";
import { PromptView } from "./prompt-view";
import { RankTask } from "./rank-task";
import type { Answer, Draft, LeasedTask, ProjectView, TaskWidgetProps } from "./types";
import type { TaskView } from "./use-label-session";
import type { Typeahead } from "./use-typeahead";

const WIDGETS: Record<LeasedTask["kind"], ComponentType<TaskWidgetProps>> = { pair: PairTask, rank: RankTask, correction: CorrectionTask };

export interface TaskPanelProps {
  view: TaskView;
  project: ProjectView;
  busy: boolean;
  keysEnabled: boolean;
  /** Keys pressed before this task's keys were live are replayed on it (use-typeahead.ts). */
  typeahead: Typeahead;
  onSubmit: (answer: Answer, rationale: string) => void;
  onProblem: (message: string | null) => void;
  onSkip: () => void;
  onFlag: () => void;
  onUndo: () => void;
}

function RationaleField({ value, onChange, fieldRef }: { value: string; onChange: (v: string) => void; fieldRef: RefObject<HTMLTextAreaElement | null> }) {
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium text-slate-700">
        Rationale (optional) <Key>R</Key>
      </span>
      <TextArea
        ref={fieldRef}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={2}
        placeholder="Why? (Ctrl+Enter submits, Esc leaves the field)"
      />
    </label>
  );
}

/**
 * One task view (mounted afresh for each, so nothing leaks from the previous task): the prompt,
 * the widget for its kind, an optional rationale and the actions. Takes focus when it appears,
 * so the next key press acts on the new task. Focus, key bindings and readiness are all set in
 * layout effects, before the browser paints the task: a key pressed once it is visible is live.
 */
export function TaskPanel({ view, project, busy, keysEnabled, typeahead, onSubmit, onProblem, onSkip, onFlag, onUndo }: TaskPanelProps) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [rationale, setRationale] = useState(view.prefill?.rationale ?? "");
  const region = useRef<HTMLElement>(null);
  const rationaleField = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => region.current?.focus({ preventScroll: true }), []);
  const onDraft = useCallback((d: Draft) => {
    setDraft(d);
    onProblem(null);
  }, [onProblem]);

  const submit = () => {
    if (!draft || busy) return;
    if (draft.answer) onSubmit(draft.answer, rationale);
    else onProblem(draft.problem);
  };
  const leaveField = () => {
    if (region.current?.contains(document.activeElement) && document.activeElement !== region.current) region.current?.focus({ preventScroll: true });
  };
  useKeyMap({ enter: submit, "ctrl+enter": submit, r: () => rationaleField.current?.focus(), escape: leaveField }, keysEnabled);
  // Last effects of the panel (children's ran first): from here on every key of this task is bound.
  // data-ready says exactly that, so it is false again while an action on this task is in flight;
  // held keys are replayed once it is live.
  const [ready, setReady] = useState(false);
  useLayoutEffect(() => setReady(true), []);
  useLayoutEffect(() => typeahead.shown(view.viewId, view.task.kind), [typeahead, view]);
  const live = keysEnabled && !busy;
  useLayoutEffect(() => (live && region.current ? typeahead.live(view.viewId, view.task.kind, region.current) : undefined), [live, typeahead, view]);

  const Widget = WIDGETS[view.task.kind];
  return (
    <section ref={region} tabIndex={-1} aria-label="Task" data-testid="task" data-task-id={view.task.taskId} data-kind={view.task.kind} data-ready={ready && !busy} className="space-y-4 outline-none">
      <LeaseWarning expiresAt={view.task.leaseExpiresAt} />
      <PromptView prompt={view.task.prompt} />
      <Widget task={view.task} project={project} prefill={view.prefill} keysEnabled={keysEnabled} onDraft={onDraft} />
      <RationaleField value={rationale} onChange={setRationale} fieldRef={rationaleField} />
      <ActionBar busy={busy} onSubmit={submit} onSkip={onSkip} onFlag={onFlag} onUndo={onUndo} />
    </section>
  );
}
