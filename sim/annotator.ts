// A simulated annotator that labels like a person in a browser: it signs in with a password over
// HTTP, asks `labeling.next` for a task, decides with a hidden preference (by default: prefer the
// more positive review, scored by a model fitted on real human ratings), submits through
// `labeling.submit`, and repeats until the queue is empty or its budget is spent. It holds only a
// base URL: every effect goes through the API, with its validation, leases and idempotency.
import { randomUUID } from "node:crypto";
import { createRng, type Rng } from "../stats/random";
import { movieSentimentScorer, type SentimentScorer } from "../stats/sentiment-scorer";
import { TrpcHttpClient } from "./api-client";
import { decideBetter, decidePair, decideRanking, DEFAULT_NOISE, lightEdit, pairwiseAgreement, type NoiseOptions } from "./decide";

type TaskKind = "pair" | "rank" | "correction";

/** The part of `labeling.next`'s answer the simulator reads (server/services/assignment-view.ts). */
interface ShownTask {
  taskId: number;
  kind: TaskKind;
  prompt: { text: string };
  completions: Array<{ id: number; text: string }>;
}

type Answer =
  | { kind: "pair"; outcome: "left" | "right" | "tie"; strength: number | null }
  | { kind: "rank"; ranking: number[][] }
  | { kind: "correction"; chosenCompletionId: number; correctedText: string };

export interface SimulatedAnnotatorOptions extends Partial<NoiseOptions> {
  url: string;
  username: string;
  password: string;
  /** Project name; default: every project with open tasks, in name order. */
  project?: string;
  /** Most tasks to handle (judged + skipped); default: until no task is left. */
  limit?: number;
  seed?: number;
  /** The hidden preference; default: the sentiment scorer fitted on the movie-review ratings. */
  scorer?: SentimentScorer;
  log?: (line: string) => void;
}

export interface SimulatedJudgement {
  taskId: number;
  kind: TaskKind;
  answer: Answer;
  /** Hidden scores of the completions in display order. */
  scores: number[];
}

export interface SimulationReport {
  projects: string[];
  judged: number;
  ties: number;
  skipped: number;
  edited: number;
  byKind: Record<TaskKind, number>;
  /** Decisions that match the noiseless preference (pairs: decided ones; rankings: item pairs; corrections: the choice). */
  agreement: { agreed: number; compared: number; rate: number | null };
  seconds: number;
  judgements: SimulatedJudgement[];
}

/** Joins prompt and completion the way a reader sees the review. */
export const reviewText = (prompt: string, completion: string) =>
  /\s$/.test(prompt) || /^\s/.test(completion) ? `${prompt}${completion}` : `${prompt} ${completion}`;

export class SimulatedAnnotator {
  private readonly client: TrpcHttpClient;
  private readonly noise: NoiseOptions;
  private readonly rng: Rng;
  private readonly scorer: SentimentScorer;

  constructor(private readonly options: SimulatedAnnotatorOptions) {
    this.client = new TrpcHttpClient(options.url);
    this.noise = {
      temperature: options.temperature ?? DEFAULT_NOISE.temperature,
      flipProbability: options.flipProbability ?? DEFAULT_NOISE.flipProbability,
      tieRate: options.tieRate ?? DEFAULT_NOISE.tieRate,
      editRate: options.editRate ?? DEFAULT_NOISE.editRate,
    };
    this.rng = createRng(options.seed ?? 1);
    this.scorer = options.scorer ?? movieSentimentScorer();
  }

  async run(): Promise<SimulationReport> {
    const started = Date.now();
    await this.client.signIn(this.options.username, this.options.password);
    const report: SimulationReport = {
      projects: [], judged: 0, ties: 0, skipped: 0, edited: 0, byKind: { pair: 0, rank: 0, correction: 0 },
      agreement: { agreed: 0, compared: 0, rate: null }, seconds: 0, judgements: [],
    };
    for (const project of await this.projects()) {
      report.projects.push(project.name);
      await this.label(project.id, report);
    }
    const { agreed, compared } = report.agreement;
    report.agreement.rate = compared > 0 ? agreed / compared : null;
    report.seconds = (Date.now() - started) / 1000;
    return report;
  }

  private async projects(): Promise<Array<{ id: number; name: string }>> {
    const all = await this.client.query<Array<{ id: number; name: string; openTasks: number }>>("projects.forLabeling");
    if (this.options.project === undefined) return all.filter((p) => p.openTasks > 0);
    const named = all.find((p) => p.name === this.options.project);
    if (!named) throw new Error(`no project named "${this.options.project}" (this account sees: ${all.map((p) => p.name).join(", ") || "none"})`);
    return [named];
  }

  private budgetLeft(report: SimulationReport): boolean {
    return this.options.limit === undefined || report.judged + report.skipped < this.options.limit;
  }

  private async label(projectId: number, report: SimulationReport): Promise<void> {
    while (this.budgetLeft(report)) {
      const { task } = await this.client.mutation<{ task: ShownTask | null }>("labeling.next", { projectId });
      if (!task) return;
      if (task.completions.some((c) => c.text.trim() === "")) {
        await this.client.mutation("labeling.skip", { taskId: task.taskId, reason: "An answer is empty: nothing to judge." });
        report.skipped += 1;
        continue;
      }
      const scores = task.completions.map((c) => this.scorer.score(reviewText(task.prompt.text, c.text)));
      const answer = this.decide(task, scores, report);
      await this.client.mutation("labeling.submit", { taskId: task.taskId, idempotencyKey: `sim-${randomUUID()}`, answer, clientSeconds: 1 });
      report.judged += 1;
      report.byKind[task.kind] += 1;
      report.judgements.push({ taskId: task.taskId, kind: task.kind, answer, scores });
      this.options.log?.(`task ${task.taskId} (${task.kind}): ${JSON.stringify(answer).slice(0, 120)}`);
    }
  }

  /** The answer to one task, counting ties, edits and agreement with the noiseless preference. */
  private decide(task: ShownTask, scores: number[], report: SimulationReport): Answer {
    const ids = task.completions.map((c) => c.id);
    const agree = (a: { agreed: number; compared: number }) => {
      report.agreement.agreed += a.agreed;
      report.agreement.compared += a.compared;
    };
    if (task.kind === "pair") {
      const d = decidePair([scores[0], scores[1]], this.noise, this.rng);
      if (d.outcome === "tie") report.ties += 1;
      else agree(pairwiseAgreement(d.outcome === "left" ? [0, 1] : [1, 0], scores));
      return { kind: "pair", ...d };
    }
    if (task.kind === "rank") {
      const order = decideRanking(scores, this.noise, this.rng);
      agree(pairwiseAgreement(order, scores));
      return { kind: "rank", ranking: order.map((i) => [ids[i]]) };
    }
    const chosen = decideBetter(scores, this.noise, this.rng);
    const best = Math.max(...scores);
    if (scores.filter((s) => s === best).length === 1) agree({ agreed: scores[chosen] === best ? 1 : 0, compared: 1 });
    const text = task.completions[chosen].text;
    const edited = this.rng() < this.noise.editRate ? lightEdit(text) : text;
    if (edited !== text) report.edited += 1;
    return { kind: "correction", chosenCompletionId: ids[chosen], correctedText: edited };
  }
}
