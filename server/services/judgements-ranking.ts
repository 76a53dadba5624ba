// Moved to core/ (gold answers are checked with the same rules in the worker).
export * from "../../core/ranking";
