/** True for a UNIQUE (or primary key) constraint violation, whichever SQL driver raised it. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

/** A failure of the database itself (its disk, file or lock), as opposed to a wrong request. */
export type DatabaseFaultKind = "full" | "readonly" | "busy" | "io" | "corrupt" | "cantopen";

export interface DatabaseFault {
  kind: DatabaseFaultKind;
  /** The driver's code (SQLITE_FULL, SQLITE_READONLY_DIRECTORY, ...), for the administrator. */
  code: string;
  /** What the person who made the request should know: what happened and what to do. */
  message: string;
}

/**
 * SQLite's primary result codes; extended codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT,
 * SQLITE_READONLY_DIRECTORY, ...) share their primary code's prefix and meaning.
 */
const BUSY = "The database is busy: another process holds its write lock. This request was not saved; try again in a moment.";
const DAMAGED = "The database file is damaged: this request was not carried out. An administrator must restore it from a backup.";
const FAULTS: ReadonlyArray<[code: string, kind: DatabaseFaultKind, message: string]> = [
  ["SQLITE_FULL", "full", "The database disk is full: this request was not saved. An administrator must free disk space; then send it again."],
  ["SQLITE_READONLY", "readonly", "The database is read-only (its file or folder cannot be written): this request was not saved. An administrator must make it writable; then send it again."],
  ["SQLITE_BUSY", "busy", BUSY],
  ["SQLITE_LOCKED", "busy", BUSY],
  ["SQLITE_IOERR", "io", "The database disk failed to read or write (I/O error): this request was not saved. An administrator must check the disk; then send it again."],
  ["SQLITE_CORRUPT", "corrupt", DAMAGED],
  ["SQLITE_NOTADB", "corrupt", DAMAGED],
  ["SQLITE_CANTOPEN", "cantopen", "The database file cannot be opened (missing folder or no permission): this request was not carried out. An administrator must fix the database path or its permissions."],
];

/**
 * The database fault behind `error` (looking through `cause` chains, since tRPC and drizzle wrap
 * the driver's error), or null when the error is something else. One table, so every entry point
 * (tRPC, upload, download) tells the user the same thing about the same fault.
 */
export function databaseFault(error: unknown): DatabaseFault | null {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    const match = FAULTS.find(([primary]) => code === primary || code.startsWith(`${primary}_`));
    if (match) return { kind: match[1], code, message: match[2] };
  }
  return null;
}
