"use client";
import { ApiTokensCard } from "../../../workspace/policies/api-tokens-card";
import { BattleSettingsCard } from "../../../workspace/policies/battle-settings-card";
import { EndpointsCard } from "../../../workspace/policies/endpoints-card";
import { LeaderboardCard } from "../../../workspace/policies/leaderboard-card";
import { LineageTree } from "../../../workspace/policies/lineage-tree";
import { SampleBrowser } from "../../../workspace/policies/sample-browser";
import { useWorkspace } from "../../../workspace/workspace-context";

/** The project's policy versions: lineage, Bradley-Terry ratings from human judgements, samples side by side, external endpoints, live battles, the OpenAI API. */
export default function PoliciesSection() {
  const project = useWorkspace();
  return (
    <div className="space-y-6">
      <LineageTree />
      <LeaderboardCard projectId={project.id} />
      <SampleBrowser />
      <EndpointsCard />
      <BattleSettingsCard />
      <ApiTokensCard />
    </div>
  );
}
