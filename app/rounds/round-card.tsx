"use client";
import Link from "next/link";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/root";

export type RoundView = inferRouterOutputs<AppRouter>["rounds"]["list"]["rounds"][number];
type RunView = RoundView["runs"]["reward"];

/** Where a round's runs and policies link to (the workspace passes its own paths). */
export interface RoundLinks {
  run: (runId: number) => string;
  policy?: (policyId: number) => string;
}

const STATUS_STYLE: Record<string, string> = {
  running: "bg-sky-100 text-sky-800",
  queued: "bg-slate-100 text-slate-700",
  succeeded: "bg-emerald-100 text-emerald-800",
  failed: "bg-rose-100 text-rose-800",
  cancelled: "bg-amber-100 text-amber-800",
};

function Status({ status, testId }: { status: string; testId?: string }) {
  return <span data-testid={testId} className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_STYLE[status] ?? ""}`}>{status}</span>;
}

const num = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "–" : `${(v * 100).toFixed(0)}%`);

function RunLink({ run, links }: { run: RunView; links: RoundLinks }) {
  if (!run) return <span className="text-slate-400">not started</span>;
  return (
    <span className="inline-flex items-center gap-2">
      <Link className="text-indigo-700 underline" href={links.run(run.id)}>{run.kind} run #{run.id}</Link>
      <Status status={run.status} />
    </span>
  );
}

function PolicyName({ policy, links }: { policy: RoundView["policy"]; links: RoundLinks }) {
  if (!policy) return <span className="text-slate-400">–</span>;
  const name = `${policy.name}@${policy.version}`;
  return links.policy ? <Link className="text-indigo-700 underline" href={links.policy(policy.id)}>{name}</Link> : <span>{name}</span>;
}

/** One step of a round: its run, and what it made, as a row of the notebook page. */
function Step({ label, failed, children }: { label: string; failed: boolean; children: React.ReactNode }) {
  return (
    <div className={`grid gap-1 border-t border-slate-100 py-2 text-sm md:grid-cols-[9rem_1fr] ${failed ? "bg-rose-50" : ""}`}>
      <span className="font-medium text-slate-600">{label}</span>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">{children}</div>
    </div>
  );
}

/** A round as a lab-notebook entry: when and why it started, the data it used, its three steps and results. */
export function RoundCard({ round, links }: { round: RoundView; links: RoundLinks }) {
  const { reward, policy, sample } = round.results;
  const failedAt = round.status === "failed" ? round.step : null;
  const range = round.judgementIdTo === null ? "" : round.judgementIdFrom === null ? `, judgement ids up to ${round.judgementIdTo}` : `, judgement ids ${round.judgementIdFrom + 1}–${round.judgementIdTo}`;
  return (
    <article className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={`round-${round.number}`} aria-label={`Round ${round.number}`}>
      <header className="mb-2 flex flex-wrap items-center gap-3">
        <h3 className="text-base font-semibold">Round {round.number}</h3>
        <Status status={round.status} testId="round-status" />
        <span className="text-sm text-slate-500">
          {round.trigger === "auto" ? "started by the auto-loop" : "started by hand"} {round.createdAt.toLocaleString()}
          {round.finishedAt && <>, finished {round.finishedAt.toLocaleString()}</>}
        </span>
      </header>
      <p className="mb-2 text-sm text-slate-700">
        Data: {round.judgementsNew.toLocaleString()} new human judgements since the last round ({round.judgementsTotal.toLocaleString()} in all{range}).
      </p>
      <Step label="Reward model" failed={failedAt === "reward"}>
        <RunLink run={round.runs.reward} links={links} />
        {round.rewardModel && <span>{round.rewardModel.name} ({round.rewardModel.kind})</span>}
        {reward && <span>trained on {reward.trainPairs ?? "–"} pairs; test accuracy {pct(reward.accuracy)}, loss {num(reward.loss)}</span>}
      </Step>
      <Step label="Policy" failed={failedAt === "policy"}>
        <RunLink run={round.runs.policy} links={links} />
        {round.startPolicy && (
          <span>
            <PolicyName policy={round.startPolicy} links={links} /> → <PolicyName policy={round.policy} links={links} />
          </span>
        )}
        {policy && <span>KL to reference {num(policy.kl_to_reference)}, RM win rate {pct(policy.reward_win_rate)}, mean reward {num(policy.mean_reward)}</span>}
      </Step>
      <Step label="Samples to label" failed={failedAt === "sample"}>
        <RunLink run={round.runs.sample} links={links} />
        {sample && <span>{sample.tasksCreated} new tasks from {sample.prompts} prompts</span>}
      </Step>
      {round.error && (
        <p role="alert" className="mt-2 rounded border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
          Failed at the {round.step} step: {round.error}
        </p>
      )}
    </article>
  );
}
