"use client";
import { useEffect, useState } from "react";

const STORAGE_KEY = "preflab.label.projectId";

/**
 * The project being labeled, remembered in localStorage so the next visit opens it directly.
 * Read after mount (the server render has no localStorage); `ready` says when that happened.
 */
export function useLastProject() {
  const [projectId, setProjectId] = useState<number | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const saved = Number(window.localStorage.getItem(STORAGE_KEY));
    if (Number.isInteger(saved) && saved > 0) setProjectId(saved);
    setReady(true);
  }, []);
  const choose = (id: number | null) => {
    setProjectId(id);
    if (id === null) window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, String(id));
  };
  return { projectId, ready, choose };
}
