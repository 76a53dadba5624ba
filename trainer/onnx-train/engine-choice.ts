// The training engines a run or `preflab bench train` may ask for. No imports: the web server
// reads this for the run kinds' config schemas without loading TensorFlow.js or ONNX Runtime.
export const TRAINING_ENGINES = ["auto", "onnx", "gpu", "node", "wasm", "cpu"] as const;
export type TrainingEngine = (typeof TRAINING_ENGINES)[number];

/** What the `engine` config field says about each choice (the launch form and --help show it). */
export const ENGINE_DESCRIPTION =
  "Training engine: auto (the fastest available: ONNX Runtime with CUDA, tfjs-node-gpu, ONNX Runtime on CPU, tfjs-node, wasm), onnx (ONNX Runtime, threads = cores), or a TensorFlow.js backend (gpu, node, wasm, cpu)";
