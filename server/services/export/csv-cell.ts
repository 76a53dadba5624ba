/**
 * One CSV cell, safe to open in a spreadsheet. RFC 4180 quoting, plus OWASP's defence against
 * CSV (formula) injection: a text cell starting with =, +, -, @, tab or carriage return would be
 * run as a formula by Excel, LibreOffice or Sheets, so it gets a leading single quote (shown as
 * text, not evaluated) and is quoted. Numbers are written as they are: -0.5 is a value, not a formula.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const text = String(value);
  const neutral = FORMULA_START.test(text) ? `'${text}` : text;
  return neutral !== text || /[",\r\n]/.test(neutral) ? `"${neutral.replaceAll('"', '""')}"` : neutral;
}
