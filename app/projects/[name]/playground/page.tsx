"use client";
import { useSearchParams } from "next/navigation";
import { Playground } from "../../../workspace/playground/playground";

/** A policy version continues a prompt in the browser itself (transformers.js on its ONNX export); `?policy=<id>` picks the version. */
export default function PlaygroundSection() {
  const policy = Number(useSearchParams().get("policy"));
  return <Playground initialPolicy={Number.isSafeInteger(policy) && policy > 0 ? policy : undefined} />;
}
