/**
 * One submission key per task view, reused on retries so a retried request never makes two
 * judgements. crypto.randomUUID exists only in secure contexts (https, localhost); a team
 * serving preflab over plain http on a LAN still gets a 128-bit random key.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
