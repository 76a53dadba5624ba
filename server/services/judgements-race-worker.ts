// A separate process for judgements-race.test.ts: several annotators fetch and submit as fast as
// they can against a shared database file, so two processes really contend for the write lock.
// Usage: tsx judgements-race-worker.ts <db file> <project id> <annotator ids, comma-separated>
// It prints "ready" once loaded and starts on a line on stdin, so both processes start together.
import { once } from "node:events";
import { openDatabase } from "../../db/client";
import { pickNextTask } from "./assignment";
import { submitJudgement } from "./judgements";

const [file, projectArg, annotatorArg] = process.argv.slice(2);
const db = openDatabase(file!);
const projectId = Number(projectArg);
const annotators = annotatorArg!.split(",").map(Number);
const outcome = { submitted: 0, refused: 0, idle: 0 };

process.stdout.write("ready\n");
await once(process.stdin, "data");
process.stdin.destroy();

for (let round = 0; round < 40; round++) {
  for (const annotatorId of annotators) {
    const task = pickNextTask(db, annotatorId, projectId).task;
    if (!task) {
      outcome.idle++;
      continue;
    }
    try {
      submitJudgement(db, annotatorId, { taskId: task.taskId, idempotencyKey: `race-${annotatorId}-${task.taskId}`, answer: { kind: "pair", outcome: "tie" } });
      outcome.submitted++;
    } catch {
      outcome.refused++;
    }
  }
}
db.$client.close();
process.stdout.write(`${JSON.stringify(outcome)}\n`);
