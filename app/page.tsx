"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useSession } from "./components/use-session";

/** Sends each person where they work: annotators to the queue, researchers to their projects. */
export default function Home() {
  const { user, loading } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (loading) return;
    if (!user) router.replace("/signin");
    else router.replace(user.role === "annotator" ? "/label" : "/projects");
  }, [user, loading, router]);
  return <p className="text-slate-500">Loading…</p>;
}
