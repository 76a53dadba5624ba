"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Key } from "../components/keyboard-key";
import { Button, TextArea, TextInput } from "../components/ui";
import { useTRPC } from "../trpc";

/** A project prompt to battle on instead of a written one: filter, then pick. */
function PromptPicker({ projectId, onPick }: { projectId: number; onPick: (promptId: number) => void }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const prompts = useQuery(trpc.battles.prompts.queryOptions({ projectId, search }));
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-slate-600">…or pick a prompt from the project</summary>
      <TextInput aria-label="Find a project prompt" placeholder="Type to filter" value={search} onChange={(e) => setSearch(e.target.value)} />
      <ul className="mt-1 max-h-56 divide-y divide-slate-100 overflow-y-auto">
        {prompts.data?.map((p) => (
          <li key={p.id}>
            <button type="button" className="w-full truncate px-2 py-1.5 text-left hover:bg-slate-50 focus:bg-indigo-50 focus:outline-none" onClick={() => onPick(p.id)}>
              {p.text}
            </button>
          </li>
        ))}
        {prompts.data?.length === 0 && <li className="px-2 py-1.5 text-slate-500">No prompt matches.</li>}
      </ul>
    </details>
  );
}

/** Where a turn begins: the first prompt (written or picked), or a follow-up to the turn just voted on. */
export function PromptComposer(props: { projectId: number; followUp: boolean; onSend: (text: string) => void; onPick: (promptId: number) => void }) {
  const [text, setText] = useState("");
  const send = () => {
    if (!text.trim()) return;
    props.onSend(text);
    setText("");
  };
  const label = props.followUp ? "Follow-up message" : "Your prompt";
  return (
    <div>
      <label className="block text-sm font-medium text-slate-700" htmlFor="battle-prompt">{label}</label>
      <TextArea
        id="battle-prompt"
        autoFocus
        className="mt-1 h-24"
        placeholder={props.followUp ? "Continue the conversation (from the answer you preferred)" : "Ask anything; two hidden models answer side by side"}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) (e.preventDefault(), send());
        }}
      />
      <div className="mt-2 flex items-center gap-3">
        <Button onClick={send} disabled={!text.trim()}>
          {props.followUp ? "Send follow-up" : "Start battle"} <Key>Ctrl+Enter</Key>
        </Button>
      </div>
      {!props.followUp && <PromptPicker projectId={props.projectId} onPick={props.onPick} />}
    </div>
  );
}
