/**
 * How ties enter the reward loss (see losses.ts for the models). Kept apart from the losses so
 * that validating a run config (in the web server) never loads TensorFlow.js.
 */
export const TIE_MODES = ["exclude", "rao-kupper", "davidson"] as const;
export type TieMode = (typeof TIE_MODES)[number];
