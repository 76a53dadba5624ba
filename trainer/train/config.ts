// Training hyper-parameters, nanoGPT style: one flat object, every field with its reason.

export interface TrainConfig {
  /** Sequences per optimizer step: more gives smoother gradients but costs memory and time. */
  batchSize: number;
  /** Tokens per sequence (≤ n_positions): the context the model learns to use. */
  blockSize: number;
  /** Optimizer steps to run in total. */
  maxSteps: number;
  /** Peak learning rate reached after warmup. */
  learningRate: number;
  /** Floor of the cosine decay, so late steps still learn a little. */
  minLearningRate: number;
  /** Linear warmup steps: Adam's moment estimates are noisy at first. */
  warmupSteps: number;
  /** Decoupled (AdamW) decay on matrices and embeddings only; regularizes small data. */
  weightDecay: number;
  /** Adam β1 (momentum). */
  beta1: number;
  /** Adam β2: 0.95 as in GPT training, steadier than 0.999 at small batch sizes. */
  beta2: number;
  /** Global gradient-norm clip: stops rare huge steps from wrecking training. */
  gradClip: number;
  /** Evaluate validation loss every this many steps (0: never). */
  evalInterval: number;
  /** Batches averaged per validation estimate. */
  evalBatches: number;
  /** Seed for initialization and batch sampling. */
  seed: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  batchSize: 8, blockSize: 64, maxSteps: 1000, learningRate: 3e-3, minLearningRate: 3e-4,
  warmupSteps: 50, weightDecay: 0.1, beta1: 0.9, beta2: 0.95, gradClip: 1.0,
  evalInterval: 100, evalBatches: 8, seed: 1337,
};
