"use client";
import { useEffect, useState } from "react";

const LABEL_KEY = "preflab.label.projectId";

/**
 * The project being labeled, remembered in localStorage so the next visit opens it directly.
 * Read after mount (the server render has no localStorage); `ready` says when that happened.
 * Another screen (battles) remembers its own under its own key.
 */
export function useLastProject(key = LABEL_KEY) {
  const [projectId, setProjectId] = useState<number | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const saved = Number(window.localStorage.getItem(key));
    if (Number.isInteger(saved) && saved > 0) setProjectId(saved);
    setReady(true);
  }, [key]);
  const choose = (id: number | null) => {
    setProjectId(id);
    if (id === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, String(id));
  };
  return { projectId, ready, choose };
}
