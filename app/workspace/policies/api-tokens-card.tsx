"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Card, ErrorMessage, Field, TextInput } from "../../components/ui";
import { useTRPC } from "../../trpc";

/** Where preflab's own OpenAI-compatible API is, and the caller's tokens for it (made here, shown once). */
export function ApiTokensCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.apiTokens.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiTokens.list.queryKey() });
  const create = useMutation(trpc.apiTokens.create.mutationOptions({ onSuccess: () => (setName(""), refresh()) }));
  const revoke = useMutation(trpc.apiTokens.revoke.mutationOptions({ onSuccess: refresh }));
  const [name, setName] = useState("");
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  return (
    <Card title="Serve policies over the OpenAI API">
      <p className="text-sm text-slate-600">
        Every version with a checkpoint answers at <code className="rounded bg-slate-100 px-1">{origin}/v1</code> (/models, /completions, /chat/completions, streaming too),
        model <code className="rounded bg-slate-100 px-1">name@version</code>; clients send a token as <code className="rounded bg-slate-100 px-1">Authorization: Bearer …</code>.
        Another preflab can register it as an external policy.
      </p>
      <form className="mt-3 flex items-end gap-3" onSubmit={(e) => (e.preventDefault(), create.mutate({ name }))}>
        <div className="w-72">
          <Field label="New token's name" hint="What will use it.">
            <TextInput required value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
        </div>
        <Button type="submit" disabled={create.isPending}>Create token</Button>
      </form>
      {create.data && (
        <Field label="Your new token (copy it now: it is not shown again)">
          <TextInput readOnly value={create.data.token} onFocus={(e) => e.currentTarget.select()} data-testid="new-api-token" />
        </Field>
      )}
      <ErrorMessage error={create.error ?? revoke.error ?? tokens.error} />
      {!!tokens.data?.length && (
        <table className="mt-3 w-full text-left text-sm">
          <thead className="text-slate-500"><tr><th className="py-1">Token</th><th>Starts with</th><th>Created</th><th>Last used</th><th /></tr></thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id} className="border-t border-slate-100">
                <td className="py-1.5">{t.name}</td>
                <td><code>{t.prefix}…</code></td>
                <td>{t.createdAt.toLocaleString()}</td>
                <td>{t.lastUsedAt?.toLocaleString() ?? "never"}</td>
                <td className="text-right"><Button variant="secondary" onClick={() => revoke.mutate({ id: t.id })}>Revoke</Button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
