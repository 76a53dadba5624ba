"use client";
import { useState } from "react";
import { useKeyMap } from "../components/keyboard-hooks";
import { Key } from "../components/keyboard-key";
import { Button, ErrorMessage } from "../components/ui";
import { FlagDialog } from "./flag-dialog";
import { GuidelinesDrawer } from "./guidelines-drawer";
import { HelpOverlay } from "./help-overlay";
import { ProgressSummary } from "./progress-summary";
import { SkipDialog } from "./skip-dialog";
import { TaskPanel } from "./task-panel";
import { ToastBar } from "./toast";
import { useLabelSession, type LabelSession as Session } from "./use-label-session";

type Dialog = "skip" | "flag" | "help" | null;

function EmptyQueue({ onReload, onChangeProject }: { onReload: () => void; onChangeProject: () => void }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-8 text-center" data-testid="queue-empty">
      <p className="text-lg font-medium">Nothing left for you in this project.</p>
      <p className="mt-1 text-sm text-slate-500">New tasks appear when researchers add data or a new policy samples.</p>
      <div className="mt-4 flex justify-center gap-2">
        <Button type="button" variant="secondary" onClick={onReload}>
          Check again <Key>N</Key>
        </Button>
        <Button type="button" variant="secondary" onClick={onChangeProject}>
          Change project <Key>P</Key>
        </Button>
      </div>
    </div>
  );
}

function SessionHeader(props: { name?: string; projectId: number; onGuidelines: () => void; onChangeProject: () => void; onHelp: () => void }) {
  return (
    <header className="flex flex-wrap items-center gap-x-4 gap-y-2">
      <h1 className="text-xl font-semibold">{props.name ?? "Label"}</h1>
      <ProgressSummary projectId={props.projectId} />
      <div className="ml-auto flex gap-2">
        <Button type="button" variant="secondary" onClick={props.onGuidelines}>
          Guidelines <Key>G</Key>
        </Button>
        <Button type="button" variant="secondary" onClick={props.onChangeProject}>
          Project <Key>P</Key>
        </Button>
        <Button type="button" variant="secondary" onClick={props.onHelp}>
          Keys <Key>?</Key>
        </Button>
      </div>
    </header>
  );
}

function SessionOverlays(props: { dialog: Dialog; guidelines: boolean; session: Session; onCloseDialog: () => void; onCloseGuidelines: () => void }) {
  const { dialog, session: s, onCloseDialog: close } = props;
  return (
    <>
      {dialog === "skip" && <SkipDialog onClose={close} onSkip={(reason) => (close(), s.skip(reason))} />}
      {dialog === "flag" && <FlagDialog onClose={close} onFlag={(reason, note) => (close(), s.flag(reason, note))} />}
      {dialog === "help" && <HelpOverlay kind={s.view?.task.kind ?? null} onClose={close} />}
      {props.guidelines && s.project && <GuidelinesDrawer guidelines={s.project.guidelines} onClose={props.onCloseGuidelines} />}
    </>
  );
}

/** The labeling screen for one project: header, the task, dialogs, drawer and toast. */
export function LabelSession({ projectId, onChangeProject }: { projectId: number; onChangeProject: () => void }) {
  const s = useLabelSession(projectId);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [guidelines, setGuidelines] = useState(false);
  const close = () => setDialog(null);
  const hasTask = s.view !== null;
  useKeyMap(
    {
      s: () => hasTask && setDialog("skip"),
      f: () => hasTask && setDialog("flag"),
      u: s.undo,
      "ctrl+z": s.undo,
      g: () => setGuidelines((g) => !g),
      "?": () => setDialog("help"),
      p: onChangeProject,
      n: () => !hasTask && s.reload(),
    },
    dialog === null,
  );

  return (
    <div className="space-y-4">
      <SessionHeader name={s.project?.name} projectId={projectId} onGuidelines={() => setGuidelines((g) => !g)} onChangeProject={onChangeProject} onHelp={() => setDialog("help")} />
      <ErrorMessage error={s.error} />
      {s.typeaheadNote && (
        <p role="status" data-testid="typeahead-note" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {s.typeaheadNote}
        </p>
      )}
      {s.loading || !s.project ? (
        <p className="text-slate-500">Loading the next task…</p>
      ) : s.view ? (
        <TaskPanel
          key={`view-${s.view.viewId}`}
          view={s.view}
          project={s.project}
          busy={s.busy}
          keysEnabled={dialog === null}
          typeahead={s.typeahead}
          onSubmit={s.submit}
          onProblem={s.showError}
          onSkip={() => setDialog("skip")}
          onFlag={() => setDialog("flag")}
          onUndo={s.undo}
        />
      ) : (
        <EmptyQueue onReload={s.reload} onChangeProject={onChangeProject} />
      )}
      <SessionOverlays dialog={dialog} guidelines={guidelines} session={s} onCloseDialog={close} onCloseGuidelines={() => setGuidelines(false)} />
      {s.toast && <ToastBar key={`toast-${s.toast.id}`} toast={s.toast} onUndo={s.undo} onDismiss={s.dismissToast} />}
    </div>
  );
}
