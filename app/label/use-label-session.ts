"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "../trpc";
import { newIdempotencyKey, secondsSince } from "./session-ids";
import type { Answer, FlagReason, LeasedTask, NextResult, Prefill, ProjectView } from "./types";

/** One showing of a task: a new key and a new clock each time (also after undo). */
export interface TaskView {
  task: LeasedTask;
  prefill: Prefill | null;
  idempotencyKey: string;
  shownAt: number;
  viewId: number;
}

export interface Toast {
  message: string;
  /** Set when "Undo" is offered, until the server's undo window closes. */
  undoUntil: Date | null;
  id: number;
}

/** Network failures and server hiccups may pass on a retry; a refusal will not. */
const transient = (count: number, error: unknown) => {
  const code = (error as { data?: { code?: string } | null }).data?.code;
  return count < 2 && (code === undefined || code === "INTERNAL_SERVER_ERROR");
};

/**
 * The labeling session's state machine: lease (next) → show → submit | skip | flag → next,
 * and undo, which brings the last judged task back pre-filled. Every mutation result the
 * screen needs lands here; the components only render and bind keys.
 */
export function useLabelSession(projectId: number) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [project, setProject] = useState<ProjectView | null>(null);
  const [view, setView] = useState<TaskView | null>(null);
  const [toast, setToast] = useState<Toast | null>(null);
  const [error, setError] = useState<string | null>(null);
  const counter = useRef(0);
  const progressKey = trpc.labeling.myProgress.queryKey({ projectId });

  const show = useCallback((task: LeasedTask | null, prefill: Prefill | null) => {
    counter.current += 1;
    setView(task ? { task, prefill, idempotencyKey: newIdempotencyKey(), shownAt: performance.now(), viewId: counter.current } : null);
  }, []);
  const say = (message: string, undoUntil: Date | null = null) => setToast({ message, undoUntil, id: ++counter.current });
  const onError = (e: { message: string }) => setError(e.message);

  const next = useMutation(
    trpc.labeling.next.mutationOptions({
      retry: transient,
      onSuccess: (r: NextResult) => {
        setProject(r.project);
        queryClient.setQueryData(progressKey, r.progress);
        show(r.task, null);
      },
      onError,
    }),
  );
  const { mutate: lease } = next;
  const load = useCallback(() => lease({ projectId }), [lease, projectId]);
  useEffect(load, [load]);

  const afterAction = (message: string, undoUntil: Date | null = null) => {
    setError(null);
    say(message, undoUntil);
    load();
  };
  const submitM = useMutation(
    trpc.labeling.submit.mutationOptions({ retry: transient, onSuccess: (r) => afterAction("Judgement saved.", r.undoableUntil), onError }),
  );
  const skipM = useMutation(trpc.labeling.skip.mutationOptions({ onSuccess: () => afterAction("Task skipped."), onError }));
  const flagM = useMutation(
    trpc.labeling.flag.mutationOptions({
      onSuccess: (r) => afterAction(r.taskWithdrawn ? "Flagged: the task left the queue." : "Flagged: thank you."),
      onError,
    }),
  );
  const undoM = useMutation(
    trpc.labeling.undo.mutationOptions({
      onSuccess: (r) => {
        setError(null);
        show(r.task, r.previous);
        say("Undone: your answer is filled in again; change it and submit.");
        void queryClient.invalidateQueries({ queryKey: progressKey });
      },
      onError,
    }),
  );

  const busy = next.isPending || submitM.isPending || skipM.isPending || flagM.isPending || undoM.isPending;
  const taskId = view?.task.taskId;
  return {
    project,
    view,
    toast,
    error,
    busy,
    loading: next.isPending && !view,
    dismissToast: () => setToast(null),
    showError: setError,
    reload: load,
    submit(answer: Answer, rationale: string) {
      if (!view || busy) return;
      const input = { taskId: view.task.taskId, idempotencyKey: view.idempotencyKey, answer, rationale: rationale.trim() || null };
      submitM.mutate({ ...input, clientSeconds: secondsSince(view.shownAt) });
    },
    skip: (reason: string) => taskId !== undefined && !busy && skipM.mutate({ taskId, reason }),
    flag: (reason: FlagReason, note: string) => taskId !== undefined && !busy && flagM.mutate({ taskId, reason, note: note.trim() || null }),
    undo: () => !busy && undoM.mutate({ projectId }),
  };
}

export type LabelSession = ReturnType<typeof useLabelSession>;
