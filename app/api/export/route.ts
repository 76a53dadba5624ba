import { z } from "zod";
import { EXPORT_FORMATS } from "../../../db/enums";
import { getServerDb } from "../../../server/db";
import { isResearcher, jsonError, userFromRequest, withDatabaseFaults } from "../../../server/http";
import { exporters } from "../../../server/services/export/formats";
import { exportStream } from "../../../server/services/export/write-export";
import { getProject } from "../../../server/services/projects";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const optionalDate = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) ctx.addIssue({ code: "custom", message: `not a date: ${v}` });
    return d;
  });

const query = z.object({
  projectId: z.coerce.number().int().positive(),
  format: z.enum(EXPORT_FORMATS),
  since: optionalDate,
  until: optionalDate,
  policyId: z.coerce.number().int().positive().optional(),
  minAgreement: z.coerce.number().min(0).max(1).optional(),
  /** `includeGold=1` (or `true`) also exports gold tasks' judgements, which are left out by default. */
  includeGold: z.enum(["0", "1", "true", "false"]).optional().transform((v) => v === "1" || v === "true"),
  /** `includeSynthetic=1` (or `true`) also exports synthetic judgements (drex, trex runs), which are left out by default. */
  includeSynthetic: z.enum(["0", "1", "true", "false"]).optional().transform((v) => v === "1" || v === "true"),
});

/** Download: the export streams straight from the database to the browser. */
export const GET = withDatabaseFaults(async (req: Request) => {
  const user = userFromRequest(req);
  if (!isResearcher(user)) return jsonError(user ? 403 : 401, "Exporting needs a researcher account.");
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return jsonError(400, z.prettifyError(parsed.error));
  const { format, ...filters } = parsed.data;
  const db = getServerDb();
  const project = getProject(db, filters.projectId);
  if (!project) return jsonError(404, `No project with id ${filters.projectId}.`);
  const exporter = exporters[format];
  const fileName = `${project.name.replace(/[^\w.-]+/g, "_")}-${format}.${exporter.extension}`;
  return new Response(exportStream(db, format, filters), {
    headers: {
      "Content-Type": exporter.contentType,
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
    },
  });
});
