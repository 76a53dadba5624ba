// Every workspace URL in one place: sections and deep links to runs, policies and evaluations.

export const SECTIONS = [
  { slug: "", label: "Overview" },
  { slug: "labeling", label: "Labeling" },
  { slug: "data", label: "Data" },
  { slug: "training", label: "Training" },
  { slug: "policies", label: "Policies" },
  { slug: "evaluation", label: "Evaluation" },
  { slug: "playground", label: "Playground" },
] as const;

export type SectionSlug = (typeof SECTIONS)[number]["slug"];

export const workspacePath = (project: string, section: SectionSlug = "") => `/projects/${encodeURIComponent(project)}${section ? `/${section}` : ""}`;
export const runPath = (project: string, runId: number) => `${workspacePath(project)}/runs/${runId}`;
export const policyPath = (project: string, policyId: number) => `${workspacePath(project, "policies")}/${policyId}`;
/** The playground with a version picked (`?policy=<id>`), linked from each version in the lineage. */
export const playgroundPath = (project: string, policyId: number) => `${workspacePath(project, "playground")}?policy=${policyId}`;
export const evaluationPath = (project: string, runId: number) => `${workspacePath(project, "evaluation")}/${runId}`;
export const comparePath = (project: string, runIds: number[]) => `${workspacePath(project, "training")}/compare?runs=${runIds.join(",")}`;
/** The launch form pre-filled with a run's kind and config (clone and edit). */
export const clonePath = (project: string, runId: number) => `${workspacePath(project, "training")}?clone=${runId}#launch`;

/** The section a pathname is in ("" for the overview), for the tabs. */
export function sectionOf(pathname: string): SectionSlug {
  const part = pathname.split("/")[3] ?? "";
  if (part === "runs") return "training";
  return (SECTIONS.find((s) => s.slug === part)?.slug ?? "") as SectionSlug;
}
