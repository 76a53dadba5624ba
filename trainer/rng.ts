// Sampling and batching must be reproducible from a seed: the trainer uses preflab's one seeded
// PRNG (stats/random.ts: pure code with no imports, shared by trainer, server and statistics).
export { createRng as makeRng } from "../stats/random";
