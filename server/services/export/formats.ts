import type { Db } from "../../../db/client";
import type { ExportFormat } from "../../../db/enums";
import { iterateJudgements, iteratePreferenceRows, type CompletionView, type JudgementView, type PreferenceFilters } from "../../../db/preference-rows";
import type { ChatMessage } from "../../../db/schema";
import { joinHhTranscript } from "../../../db/hh-transcripts";
import { ktoLabels } from "../../../db/kto-labels";
import { csvCell } from "./csv-cell";
import { judgementProvenance, pairProvenance } from "./provenance";

/** One export format: how its file is named and the lines it is made of. */
export interface Exporter {
  extension: string;
  contentType: string;
  lines(db: Db, filters: PreferenceFilters): Generator<string>;
}

const jsonl = (value: unknown) => `${JSON.stringify(value)}\n`;

/** TRL's preference formats take strict pairs; ties and both-bad go to CSV and ranked exports. */
function* preferredPairs(db: Db, filters: PreferenceFilters) {
  for (const row of iteratePreferenceRows(db, filters)) if (row.relation === "preferred") yield row;
}

function promptMessages(prompt: JudgementView["prompt"]): ChatMessage[] {
  return prompt.messages ?? [{ role: "user", content: prompt.text }];
}

function answerMessages(c: CompletionView): ChatMessage[] {
  return c.messages ?? [{ role: "assistant", content: c.text }];
}

const CSV_COLUMNS = [
  "judgement_id", "task_id", "relation", "derivation", "weight", "strength", "prompt", "chosen", "rejected",
  "annotator", "source", "agreement", "seconds_on_task", "chosen_policy", "rejected_policy", "created_at",
] as const;

export const exporters: Record<ExportFormat, Exporter> = {
  trl: {
    extension: "jsonl",
    contentType: "application/x-ndjson",
    *lines(db, filters) {
      for (const r of preferredPairs(db, filters))
        yield jsonl({ prompt: r.judgement.prompt.text, chosen: r.chosen.text, rejected: r.rejected.text, provenance: pairProvenance(r) });
    },
  },
  "trl-conversational": {
    extension: "jsonl",
    contentType: "application/x-ndjson",
    *lines(db, filters) {
      for (const r of preferredPairs(db, filters))
        yield jsonl({ prompt: promptMessages(r.judgement.prompt), chosen: answerMessages(r.chosen), rejected: answerMessages(r.rejected), provenance: pairProvenance(r) });
    },
  },
  hh: {
    extension: "jsonl",
    contentType: "application/x-ndjson",
    *lines(db, filters) {
      for (const r of preferredPairs(db, filters)) {
        const prompt = r.judgement.prompt.text;
        yield jsonl({ chosen: joinHhTranscript(prompt, r.chosen.text), rejected: joinHhTranscript(prompt, r.rejected.text), provenance: pairProvenance(r) });
      }
    },
  },
  ranked: {
    extension: "jsonl",
    contentType: "application/x-ndjson",
    *lines(db, filters) {
      for (const j of iterateJudgements(db, filters)) {
        const groups = rankingOf(j);
        if (!groups) continue;
        const completions = groups.flat().map((id) => j.completions.get(id)!.text);
        const ranks = groups.flatMap((g, i) => g.map(() => i + 1));
        yield jsonl({ prompt: j.prompt.text, completions, ranks, provenance: judgementProvenance(j) });
      }
    },
  },
  kto: {
    extension: "jsonl",
    contentType: "application/x-ndjson",
    *lines(db, filters) {
      for (const j of iterateJudgements(db, filters))
        for (const { completionId, desirable } of ktoLabels(j))
          yield jsonl({ prompt: j.prompt.text, completion: j.completions.get(completionId)!.text, label: desirable, provenance: judgementProvenance(j) });
    },
  },
  csv: {
    extension: "csv",
    contentType: "text/csv; charset=utf-8",
    *lines(db, filters) {
      yield `${CSV_COLUMNS.join(",")}\n`;
      for (const r of iteratePreferenceRows(db, filters)) {
        const p = pairProvenance(r);
        const values = Object.assign(p, { prompt: r.judgement.prompt.text, chosen: r.chosen.text, rejected: r.rejected.text });
        yield `${CSV_COLUMNS.map((c) => csvCell(values[c])).join(",")}\n`;
      }
    },
  },
};

/** A judgement as a ranking best-first: rank tasks as given, pairs and corrections as two ranks. */
function rankingOf(j: JudgementView): number[][] | null {
  const d = j.derivation;
  if (j.taskKind === "rank") return d.ranking;
  if (j.taskKind === "correction")
    return d.chosenCompletionId === null ? null : [[d.chosenCompletionId], d.displayOrder.filter((id) => id !== d.chosenCompletionId)];
  const [left, right] = d.displayOrder as [number, number];
  if (d.outcome === "left") return [[left], [right]];
  if (d.outcome === "right") return [[right], [left]];
  if (d.outcome === "tie") return [[left, right]];
  return null;
}
