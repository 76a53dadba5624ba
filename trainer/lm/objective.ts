// Language modelling as an Objective of the one training loop: random windows of a token stream
// (nanoGPT's get_batch, seeded per step so a resumed run sees the same batches), next-token loss,
// validation loss, and saving as an HF checkpoint. Two gradient threads on wasm when asked.
import { mkdirSync } from "node:fs";
import { saveCheckpoint } from "../checkpoint/tfjs";
import { makeRng } from "../rng";
import { sampleBatch, type LmBatch } from "../train/data";
import type { DataParallel } from "../train/data-parallel";
import { batchLoss, evaluateLoss } from "../train/lm-step";
import type { Objective } from "../train/loop";
import { savedContents, type TrainingSetup } from "../train/setup";

export interface LmObjectiveOptions {
  setup: TrainingSetup;
  train: Int32Array;
  val: Int32Array;
  batchSize: number;
  blockSize: number;
  seed: number;
  /** Batches averaged per validation estimate. */
  evalBatches: number;
  parallel?: DataParallel;
}

export function languageModelObjective(o: LmObjectiveOptions): Objective<LmBatch> {
  const { setup } = o;
  const shape = { batchSize: o.batchSize, blockSize: o.blockSize, seed: o.seed };
  return {
    trainable: setup.model.params,
    batch: (step) => sampleBatch(o.train, o.batchSize, o.blockSize, makeRng(o.seed * 7919 + step)),
    loss: (batch) => ({ loss: batchLoss(setup.model, batch) }),
    step: o.parallel ? async (batch, lr, optimizer) => ({ ...(await o.parallel!.trainStep(setup.model, optimizer, batch, lr)), metrics: {} }) : undefined,
    evaluate: () => ({ val_loss: evaluateLoss(setup.model, o.val, shape, o.evalBatches) }),
    save: (dir) => {
      mkdirSync(dir, { recursive: true });
      saveCheckpoint(dir, { ...savedContents(setup), params: setup.model.params });
    },
    tokensPerStep: (batch) => batch.inputs.length * batch.inputs[0]!.length,
  };
}
