import path from "node:path";
import type { Db } from "../../db/client";
import type { ArtifactKind } from "../../db/enums";
import { beat, isCancelRequested, recordArtifact, recordCheckpoint, recordProgress, setRunInfo, type ProgressEvent, type RunRow } from "./queue";

/** Thrown inside an executor when the user cancelled the run; the worker marks it cancelled. */
export class RunCancelled extends Error {
  constructor() {
    super("cancelled by the user");
  }
}

/** Thrown inside an executor when the worker itself is shutting down; the run goes back to the queue. */
export class WorkerStopping extends Error {
  constructor() {
    super("the worker is shutting down");
  }
}

/** Someone following a run as it executes (the CLI prints each event). */
export interface RunListener {
  info?(info: { backend?: string; totalSteps?: number }): void;
  progress?(event: ProgressEvent): void;
}

/** How often cancellation is read from the database: cheap, yet within a step for any real run. */
const CANCEL_CHECK_MS = 500;

/**
 * What an executor gets: its run and config, a directory of its own, and the calls that report
 * progress, checkpoints and artifacts. Executors call `throwIfCancelled()` between (and inside
 * long) steps; every report also refreshes the heartbeat that tells the worker's supervisor the
 * run is alive.
 */
export class RunContext {
  private lastCancelCheck = 0;
  readonly runDir: string;

  constructor(
    readonly db: Db,
    readonly run: RunRow,
    runsRoot: string,
    private readonly listener: RunListener = {},
    private readonly workerStopping: () => boolean = () => false,
  ) {
    this.runDir = path.join(runsRoot, String(run.id));
  }

  get config(): Record<string, unknown> {
    return this.run.config;
  }

  /** The checkpoint a resumed run starts from (null on a first attempt). */
  get resumeFrom(): { dir: string; step: number } | null {
    return this.run.lastCheckpoint ? { dir: this.run.lastCheckpoint, step: this.run.step } : null;
  }

  info(info: { backend?: string; totalSteps?: number }): void {
    setRunInfo(this.db, this.run.id, info);
    this.listener.info?.(info);
  }

  progress(event: ProgressEvent): void {
    recordProgress(this.db, this.run.id, event);
    this.listener.progress?.(event);
  }

  checkpoint(dir: string, step: number): void {
    recordCheckpoint(this.db, this.run.id, dir, step);
  }

  artifact(kind: ArtifactKind, file: string, metadata?: Record<string, unknown>, step?: number): number {
    return recordArtifact(this.db, this.run.id, kind, file, metadata, step);
  }

  throwIfCancelled(): void {
    if (this.workerStopping()) throw new WorkerStopping();
    const now = Date.now();
    if (now - this.lastCancelCheck < CANCEL_CHECK_MS) return;
    this.lastCancelCheck = now;
    beat(this.db, this.run.id);
    if (isCancelRequested(this.db, this.run.id)) throw new RunCancelled();
  }
}

/** One kind of run (reward, sft, dpo, ...): trains, reports through the context, returns when done. */
export type Executor = (ctx: RunContext) => Promise<void>;
