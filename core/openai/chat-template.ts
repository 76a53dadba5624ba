/**
 * The chat template for models that have none (preflab's GPT-2 policies, and external endpoints
 * registered in completions mode that are sent a conversation). Documented in the README:
 *
 *     System: <content>
 *
 *     User: <content>
 *
 *     Assistant: <content>
 *
 *     User: <content>
 *
 *     Assistant:
 *
 * Each message is its role, capitalised, a colon, a space and its content, messages separated by
 * a blank line; the prompt ends with "Assistant:" for the model to continue. The answer ends where
 * the model starts another turn (CHAT_STOP) and its leading whitespace is dropped.
 */
import type { ChatMessage } from "../../db/schema";

const roleLabel = (role: string) => (role ? role[0]!.toUpperCase() + role.slice(1) : "User");

export function renderChat(messages: readonly ChatMessage[]): string {
  return [...messages.map((m) => `${roleLabel(m.role)}: ${m.content}`), "Assistant:"].join("\n\n");
}

/** Where an answer ends: the model beginning the next message. */
export const CHAT_STOP = ["\nUser:", "\nSystem:", "\nAssistant:"];
