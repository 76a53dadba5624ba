"use client";
import { OverviewCharts } from "../../workspace/overview/overview-charts";

/** /projects/[name]: the project at a glance. */
export default function OverviewSection() {
  return <OverviewCharts />;
}
