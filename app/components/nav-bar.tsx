"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useTRPC } from "../trpc";
import { useSession } from "./use-session";

const LINKS = [
  { href: "/label", label: "Label", roles: ["annotator", "researcher", "admin"] },
  { href: "/battle", label: "Battle", roles: ["annotator", "researcher", "admin"] },
  // Each project's workspace (overview, labeling, data, training, policies, evaluation) is under /projects.
  { href: "/projects", label: "Projects", roles: ["researcher", "admin"] },
  { href: "/rounds", label: "Rounds", roles: ["researcher", "admin"] },
  { href: "/datasets", label: "Datasets", roles: ["researcher", "admin"] },
  { href: "/admin", label: "Admin", roles: ["admin"] },
] as const;

export function NavBar() {
  const { user } = useSession();
  const pathname = usePathname();
  const router = useRouter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.push("/signin");
      },
    }),
  );
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3">
        <Link href="/" className="font-semibold tracking-tight text-indigo-700">
          preflab
        </Link>
        {user &&
          LINKS.filter((l) => (l.roles as readonly string[]).includes(user.role)).map((l) => (
            <Link
              key={l.href}
              href={l.href}
              className={pathname.startsWith(l.href) ? "font-medium text-slate-900" : "text-slate-500 hover:text-slate-900"}
            >
              {l.label}
            </Link>
          ))}
        <span className="ml-auto text-sm text-slate-500">
          {user ? (
            <>
              {user.username} <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{user.role}</span>{" "}
              <button className="ml-2 underline hover:text-slate-900" onClick={() => signOut.mutate()}>
                Sign out
              </button>
            </>
          ) : (
            <Link href="/signin">Sign in</Link>
          )}
        </span>
      </nav>
    </header>
  );
}
