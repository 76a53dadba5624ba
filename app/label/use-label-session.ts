"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "../trpc";
import { activeSecondsSince, startTaskClock } from "./active-clock";
import { newIdempotencyKey } from "./session-ids";
import type { Answer, FlagReason, LeasedTask, NextResult, Prefill, ProjectView } from "./types";
import { useToast } from "./use-toast";
import { useTypeahead } from "./use-typeahead";

export type { Toast } from "./use-toast";

/** One showing of a task: a new key and a new clock each time (also after undo). */
export interface TaskView {
  task: LeasedTask;
  prefill: Prefill | null;
  idempotencyKey: string;
  shownAt: number;
  viewId: number;
}

/** Network failures and server hiccups may pass on a retry (same key: no double judgement); a refusal will not. */
const transient = (count: number, error: unknown) => {
  const code = (error as { data?: { code?: string } | null }).data?.code;
  return count < 2 && (code === undefined || code === "INTERNAL_SERVER_ERROR");
};

function useTaskView() {
  const [view, setView] = useState<TaskView | null>(null);
  const views = useRef(0);
  const show = useCallback((task: LeasedTask | null, prefill: Prefill | null) => {
    views.current += 1;
    setView(task ? { task, prefill, idempotencyKey: newIdempotencyKey(), shownAt: startTaskClock(), viewId: views.current } : null);
  }, []);
  return { view, show };
}

/** Leasing: `next` on mount and after every action; its progress goes straight into the progress query. */
function useLease(projectId: number, show: ReturnType<typeof useTaskView>["show"], onError: (e: { message: string }) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [project, setProject] = useState<ProjectView | null>(null);
  const next = useMutation(
    trpc.labeling.next.mutationOptions({
      retry: transient,
      onSuccess: (r: NextResult) => {
        setProject(r.project);
        queryClient.setQueryData(trpc.labeling.myProgress.queryKey({ projectId }), r.progress);
        show(r.task, null);
      },
      onError,
    }),
  );
  const { mutate } = next;
  const load = useCallback(() => mutate({ projectId }), [mutate, projectId]);
  useEffect(load, [load]);
  return { project, load, pending: next.isPending };
}

/** Undo: the server re-leases the task; the caller shows it pre-filled. Progress changes, so it is re-read. */
function useUndo(projectId: number, onUndone: (task: LeasedTask, previous: Prefill) => void, onError: (e: { message: string }) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.labeling.undo.mutationOptions({
      onSuccess: (r) => {
        onUndone(r.task, r.previous);
        void queryClient.invalidateQueries({ queryKey: trpc.labeling.myProgress.queryKey({ projectId }) });
      },
      onError,
    }),
  );
}

/**
 * The labeling session's state machine: lease (next) → show → submit | skip | flag → next,
 * and undo, which brings the last judged task back pre-filled. Every mutation result the
 * screen needs lands here; the components only render and bind keys. Each action holds the
 * keys pressed until the next task is shown (typeahead.ts says which of them it then applies).
 */
export function useLabelSession(projectId: number) {
  const trpc = useTRPC();
  const { view, show: showView } = useTaskView();
  const { toast, say, dismiss } = useToast();
  const [error, setError] = useState<string | null>(null);
  const [typeaheadNote, setTypeaheadNote] = useState<string | null>(null);
  const typeahead = useTypeahead(setTypeaheadNote);
  const onError = (e: { message: string }) => {
    typeahead.drop();
    setError(e.message);
  };
  const show = useCallback((task: LeasedTask | null, prefill: Prefill | null) => {
    showView(task, prefill);
    if (!task) typeahead.drop(); // the queue is empty: no task for the held keys
  }, [showView, typeahead]);
  const lease = useLease(projectId, show, onError);
  const then = (message: string, undoUntil: Date | null = null) => {
    setError(null);
    say(message, undoUntil);
    lease.load();
  };
  const submitM = useMutation(trpc.labeling.submit.mutationOptions({ retry: transient, onSuccess: (r) => then("Judgement saved.", r.undoableUntil), onError }));
  const skipM = useMutation(trpc.labeling.skip.mutationOptions({ onSuccess: () => then("Task skipped."), onError }));
  const flagM = useMutation(
    trpc.labeling.flag.mutationOptions({ onSuccess: (r) => then(r.taskWithdrawn ? "Flagged: the task left the queue." : "Flagged: thank you."), onError }),
  );
  const undoM = useUndo(projectId, (task, previous) => {
    setError(null);
    show(task, previous);
    say("Undone: your answer is filled in again; change it and submit.");
  }, onError);
  const busy = lease.pending || submitM.isPending || skipM.isPending || flagM.isPending || undoM.isPending;
  const taskId = view?.task.taskId;
  /** Starts an action unless one is in flight; from this moment keys wait for the task it leads to. */
  const act = (start: () => void) => {
    if (busy) return;
    typeahead.hold(view?.viewId ?? 0);
    start();
  };
  return {
    project: lease.project,
    view,
    toast,
    error,
    busy,
    typeahead,
    typeaheadNote,
    loading: lease.pending && !view,
    dismissToast: dismiss,
    showError: setError,
    reload: () => act(lease.load),
    submit: (answer: Answer, rationale: string) =>
      view && act(() => submitM.mutate({ taskId: view.task.taskId, idempotencyKey: view.idempotencyKey, answer, rationale: rationale.trim() || null, clientSeconds: activeSecondsSince(view.shownAt) })),
    skip: (reason: string) => taskId !== undefined && act(() => skipM.mutate({ taskId, reason })),
    flag: (reason: FlagReason, note: string) => taskId !== undefined && act(() => flagM.mutate({ taskId, reason, note: note.trim() || null })),
    undo: () => act(() => undoM.mutate({ projectId })),
  };
}

export type LabelSession = ReturnType<typeof useLabelSession>;
