import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/root";

/** The labeling API's shapes as the client sees them (types only: nothing from server/ is bundled). */
type Out = inferRouterOutputs<AppRouter>["labeling"];
type In = inferRouterInputs<AppRouter>["labeling"];

export type NextResult = Out["next"];
export type LeasedTask = NonNullable<NextResult["task"]>;
export type ProjectView = NextResult["project"];
export type Progress = NextResult["progress"];
/** What an undone judgement said, to fill the form in again. */
export type Prefill = Out["undo"]["previous"];
export type Answer = In["submit"]["answer"];
export type FlagReason = In["flag"]["reason"];

/** What a task widget reports upward: the answer when it is complete, else why not. */
export type Draft = { answer: Answer; problem: null } | { answer: null; problem: string };

/** Props every task widget (pair, rank, correction) takes. */
export interface TaskWidgetProps {
  task: LeasedTask;
  project: ProjectView;
  prefill: Prefill | null;
  /** False while a dialog or overlay owns the keyboard. */
  keysEnabled: boolean;
  onDraft: (draft: Draft) => void;
}
