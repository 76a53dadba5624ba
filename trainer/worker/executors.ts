import type { ExecutorRegistry } from "./worker-loop";

/**
 * The run kinds this build of preflab can execute, one executor per kind. A kind missing here is
 * refused when a run is created (see trainer/launcher.ts), never queued to fail later.
 */
export async function loadExecutors(): Promise<ExecutorRegistry> {
  return {
    reward: (await import("../reward/executor")).rewardExecutor,
    pretrain: (await import("./lm-executor")).languageModelExecutor,
    sft: (await import("./lm-executor")).languageModelExecutor,
  };
}
