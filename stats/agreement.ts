// Inter-annotator agreement statistics, one entry point for the server and the exporter.
// Each statistic lives in its own file; see there for definitions and edge cases.

export * from "./agreement-units";
export * from "./agreement-cohen";
export * from "./agreement-fleiss";
export * from "./agreement-krippendorff";
export * from "./agreement-matrix";
export * from "./agreement-per-item";
