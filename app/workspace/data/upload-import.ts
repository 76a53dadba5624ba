/** Events the import endpoint streams back, one JSON object a line. */
export type ImportEvent =
  | { type: "progress"; phase: "validating" | "writing"; rows: number; bytesRead: number; totalBytes: number }
  | { type: "report"; ok: boolean; format: string | null; imported: number; skipped: number; problems: { line: number; record?: number; reason: string }[]; problemCount: number }
  | { type: "error"; message: string };

export interface UploadProgress {
  phase: "uploading" | "validating" | "writing";
  fraction: number;
  rows: number;
}

/**
 * Sends a file to /api/import with XHR (fetch cannot report upload progress), then reads the
 * server's progress lines as they arrive. Resolves with the final report or error event.
 */
export function uploadImport(
  file: File,
  params: { project: string; format: string; skipInvalid: boolean },
  onProgress: (p: UploadProgress) => void,
): Promise<Extract<ImportEvent, { type: "report" | "error" }>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams({ project: params.project, format: params.format, skipInvalid: params.skipInvalid ? "1" : "0", fileName: file.name });
    xhr.open("POST", `/api/import?${query}`);
    let consumed = 0;
    let last: ImportEvent | null = null;
    const readLines = () => {
      const text = xhr.responseText;
      const end = text.lastIndexOf("\n") + 1;
      for (const line of text.slice(consumed, end).split("\n").filter(Boolean)) {
        last = JSON.parse(line) as ImportEvent;
        if (last.type === "progress")
          onProgress({ phase: last.phase, fraction: last.totalBytes ? last.bytesRead / last.totalBytes : 0, rows: last.rows });
      }
      consumed = end;
    };
    xhr.upload.onprogress = (e) => onProgress({ phase: "uploading", fraction: e.lengthComputable ? e.loaded / e.total : 0, rows: 0 });
    xhr.onprogress = readLines;
    xhr.onload = () => {
      if (xhr.status !== 200) {
        const message = (() => {
          try {
            return (JSON.parse(xhr.responseText) as { error: string }).error;
          } catch {
            return `The server answered ${xhr.status}.`;
          }
        })();
        resolve({ type: "error", message });
        return;
      }
      readLines();
      const final = last as ImportEvent | null;
      if (final && final.type !== "progress") resolve(final);
      else resolve({ type: "error", message: "The server closed the connection before the import finished." });
    };
    xhr.onerror = () => reject(new Error("The upload failed: the server could not be reached."));
    xhr.send(file);
  });
}
