"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useSession } from "../components/use-session";
import { Button, Card, ErrorMessage, Field, TextInput } from "../components/ui";
import { useTRPC } from "../trpc";

export default function SignInPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { needsSetup, loading } = useSession();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const onSuccess = async () => {
    await queryClient.invalidateQueries();
    router.push("/");
  };
  const signIn = useMutation(trpc.auth.signIn.mutationOptions({ onSuccess }));
  const setup = useMutation(trpc.auth.setup.mutationOptions({ onSuccess }));
  const active = needsSetup ? setup : signIn;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    active.mutate({ username, password });
  };
  if (loading) return <p className="text-slate-500">Loading…</p>;
  return (
    <div className="mx-auto mt-10 max-w-sm">
      <Card title={needsSetup ? "Create the admin account" : "Sign in"}>
        {needsSetup && <p className="mb-4 text-sm text-slate-600">This preflab has no accounts yet. The first one is its administrator.</p>}
        <form onSubmit={submit} className="space-y-4">
          <Field label="Username">
            <TextInput name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
          </Field>
          <Field label="Password" hint={needsSetup ? "At least 8 characters." : undefined}>
            <TextInput name="password" type="password" autoComplete={needsSetup ? "new-password" : "current-password"} value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          <Button type="submit" disabled={active.isPending} className="w-full">
            {needsSetup ? "Create admin and sign in" : "Sign in"}
          </Button>
          <ErrorMessage error={active.error} />
        </form>
      </Card>
    </div>
  );
}
