// Task creation lives in core/tasks.ts (a `sample` run creates tasks from the worker); the server imports it from here.
export * from "../../core/tasks";
