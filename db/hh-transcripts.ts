/**
 * Anthropic HH-RLHF stores each pair as two whole transcripts. Import, export and the trainer's
 * real-data check all read this format, so it lives here beside the schema and imports nothing.
 * The prompt is everything up to the last "\n\nAssistant:" the two share; a few records diverge
 * before their final turn, so the split point is the last such marker inside their common
 * prefix, which keeps prompt + response byte-identical to the original transcripts.
 */
export const HH_ASSISTANT = "\n\nAssistant:";
export const HH_HUMAN = "\n\nHuman:";

export function splitHhTranscripts(
  chosen: string,
  rejected: string,
): { prompt: string; chosen: string; rejected: string } | null {
  let common = 0;
  const limit = Math.min(chosen.length, rejected.length);
  while (common < limit && chosen.charCodeAt(common) === rejected.charCodeAt(common)) common++;
  const marker = chosen.lastIndexOf(HH_ASSISTANT, common - HH_ASSISTANT.length);
  if (marker < 0) return null;
  const end = marker + HH_ASSISTANT.length;
  return { prompt: chosen.slice(0, end), chosen: chosen.slice(end), rejected: rejected.slice(end) };
}

/** The inverse: an HH transcript from a prompt and one response. */
export function joinHhTranscript(prompt: string, response: string): string {
  const asTranscript = prompt.startsWith(HH_HUMAN) ? prompt : `${HH_HUMAN} ${prompt}`;
  const withTurn = asTranscript.endsWith(HH_ASSISTANT) ? asTranscript : `${asTranscript}${HH_ASSISTANT}`;
  const spaced = response.startsWith(" ") || response === "" ? response : ` ${response}`;
  return asTranscript.endsWith(HH_ASSISTANT) ? withTurn + response : withTurn + spaced;
}
