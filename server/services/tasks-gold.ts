// Moved to core/ (task creation checks gold answers in the worker too).
export * from "../../core/gold";
