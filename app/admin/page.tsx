"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { USER_ROLES, type UserRole } from "../../db/enums";
import { RequireRole } from "../components/require-role";
import { Button, Card, ErrorMessage, Field, Select, TextInput } from "../components/ui";
import { useTRPC } from "../trpc";

function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<UserRole>("annotator");
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async () => {
        setUsername("");
        setPassword("");
        await queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ username, password, role });
  };
  return (
    <Card title="Create an account">
      <form onSubmit={submit} className="grid gap-4 md:grid-cols-4">
        <Field label="Username">
          <TextInput name="new-username" value={username} onChange={(e) => setUsername(e.target.value)} />
        </Field>
        <Field label="Initial password" hint="At least 8 characters; share it privately.">
          <TextInput name="new-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field label="Role">
          <Select name="new-role" value={role} onChange={(e) => setRole(e.target.value as UserRole)}>
            {USER_ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </Select>
        </Field>
        <div className="self-end">
          <Button type="submit" disabled={create.isPending}>
            Create
          </Button>
        </div>
      </form>
      <ErrorMessage error={create.error} />
    </Card>
  );
}

function UsersTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const update = useMutation(trpc.users.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }) }));
  const revoke = useMutation(trpc.users.revokeSessions.mutationOptions());
  return (
    <Card title="Accounts">
      <table className="w-full text-left text-sm">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1">Username</th>
            <th>Pseudonym in exports</th>
            <th>Role</th>
            <th>Status</th>
            <th>Sessions</th>
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr key={u.id} className="border-t border-slate-100">
              <td className="py-1.5 font-medium">{u.username}</td>
              <td className="font-mono text-xs">{u.pseudonym}</td>
              <td>
                <select aria-label={`role of ${u.username}`} value={u.role} onChange={(e) => update.mutate({ id: u.id, role: e.target.value as UserRole })} className="rounded border border-slate-300 px-1 py-0.5">
                  {USER_ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>
                <button className="text-indigo-700 underline" onClick={() => update.mutate({ id: u.id, disabled: !u.disabled })}>
                  {u.disabled ? "Disabled — enable" : "Active — disable"}
                </button>
              </td>
              <td>
                <button className="text-indigo-700 underline" aria-label={`sign ${u.username} out everywhere`} onClick={() => revoke.mutate({ id: u.id })}>
                  Sign out everywhere
                </button>
                {revoke.variables?.id === u.id && revoke.isSuccess && <span className="ml-2 text-xs text-slate-500">{revoke.data.ended} ended</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={update.error ?? revoke.error} />
    </Card>
  );
}

export default function AdminPage() {
  return (
    <RequireRole roles={["admin"]}>
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold">Admin</h1>
        <CreateUserForm />
        <UsersTable />
      </div>
    </RequireRole>
  );
}
