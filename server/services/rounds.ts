/**
 * The loop's rounds from the web server: opening the next round (the auto-loop trigger after a
 * judgement, or a researcher's "start next round now"), the auto-loop settings, and the lab
 * notebook's listing. A round's later steps are queued by the worker (trainer/worker/auto-loop.ts).
 *
 * Exactly one round starts however submissions race: the check (no round running, enough new
 * judgements) and the insert happen in one BEGIN IMMEDIATE transaction, and the partial unique
 * index rounds_one_running_uq refuses a second running round of a project whatever the code path.
 */
import { eq } from "drizzle-orm";
import { countNewJudgements, judgementAnchor, judgementWindow, openRound, runningRound, updateRound, failRound, type RoundRow } from "../../core/rounds";
import { inTransaction, type Db } from "../../db/client";
import type { RoundTrigger } from "../../db/enums";
import { projects, type RoundConfigs } from "../../db/schema";
import { autoLoopSchema, type AutoLoopSettings } from "../../db/types";
import { ServiceError } from "./errors";
import { getProject } from "./projects";
import { resolveRoundConfigs, roundPolicyKinds } from "./round-configs";
import { queueRun } from "./runs";

function requireProject(db: Db, projectId: number) {
  const project = getProject(db, projectId);
  if (!project) throw new ServiceError("NOT_FOUND", `No project with id ${projectId}.`);
  return project;
}

/** Configs of the next round, or why they cannot be used. */
function nextConfigs(db: Db, projectId: number, loop: AutoLoopSettings): { configs: RoundConfigs | null; error: string | null } {
  try {
    return { configs: resolveRoundConfigs(db, projectId, loop), error: null };
  } catch (error) {
    return { configs: null, error: (error as Error).message };
  }
}

/**
 * Opens the project's next round and queues its reward run. An automatic round starts only when
 * none is running and `judgementsPerRound` new human judgements have arrived since the last one
 * (else null); a manual one refuses while one runs. Invalid configs fail a manual start at once
 * and are recorded as a failed automatic round (the notebook says why the loop did not go on).
 */
export function startRound(db: Db, projectId: number, trigger: RoundTrigger, createdBy: number | null): RoundRow | null {
  const loop = requireProject(db, projectId).settings.autoLoop;
  const { configs, error } = nextConfigs(db, projectId, loop);
  if (error && trigger === "manual") throw new ServiceError("BAD_REQUEST", `The next round cannot start: ${error}`);
  return inTransaction(db, (tx) => {
    const running = runningRound(tx, projectId);
    if (running && trigger === "manual") throw new ServiceError("CONFLICT", `Round ${running.number} is still running (its ${running.step} step); the next one starts after it.`);
    if (running) return null;
    const anchor = judgementAnchor(tx, projectId);
    if (trigger === "auto" && countNewJudgements(tx, projectId, anchor, loop.judgementsPerRound) < loop.judgementsPerRound) return null;
    const round = openRound(tx, { projectId, trigger, configs, window: judgementWindow(tx, projectId, anchor), createdBy });
    if (!configs) return failRound(tx, round, `the round's configs are invalid: ${error}`);
    const run = queueRun(tx, { kind: "reward", projectId, config: configs.reward, createdBy, origin: "cli" });
    return updateRound(tx, round, { rewardRunId: run.id });
  });
}

/**
 * The auto-loop's check after a judgement was committed: cheap reads first (setting, a running
 * round, new judgements counted up to N), the write transaction only when a round is due.
 */
export function maybeStartAutoRound(db: Db, projectId: number, loop: AutoLoopSettings): RoundRow | null {
  if (!loop.enabled || runningRound(db, projectId)) return null;
  if (countNewJudgements(db, projectId, judgementAnchor(db, projectId), loop.judgementsPerRound) < loop.judgementsPerRound) return null;
  return startRound(db, projectId, "auto", null);
}

export type AutoLoopPatch = Partial<AutoLoopSettings>;

/**
 * Changes the project's auto-loop settings; configs are validated now (a bad field is a 400 here,
 * not a failed round later). Enabling it on a project that already has N new judgements starts
 * the first round at once; returns it, if any.
 */
export function configureAutoLoop(db: Db, projectId: number, patch: AutoLoopPatch): { autoLoop: AutoLoopSettings; started: RoundRow | null } {
  const project = requireProject(db, projectId);
  const autoLoop = autoLoopSchema.parse({ ...project.settings.autoLoop, ...patch });
  resolveRoundConfigs(db, projectId, autoLoop);
  db.update(projects).set({ settings: { ...project.settings, autoLoop } }).where(eq(projects.id, projectId)).run();
  return { autoLoop, started: maybeStartAutoRound(db, projectId, autoLoop) };
}

/** What the notebook shows above the rounds: the settings, how far the next round is, and its configs. */
export function autoLoopStatus(db: Db, projectId: number) {
  const loop = requireProject(db, projectId).settings.autoLoop;
  const anchor = judgementAnchor(db, projectId);
  const { configs, error } = nextConfigs(db, projectId, loop);
  return {
    autoLoop: loop,
    running: runningRound(db, projectId) ?? null,
    newJudgements: countNewJudgements(db, projectId, anchor, loop.judgementsPerRound),
    nextConfigs: configs,
    configError: error,
    policyKinds: roundPolicyKinds(),
  };
}
