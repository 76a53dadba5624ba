"use client";
import { RequireRole } from "../components/require-role";
import { ProjectPicker } from "../label/project-picker";
import { useLastProject } from "../label/use-last-project";
import { BattleSession } from "./battle-session";

function BattleScreen() {
  const { projectId, ready, choose } = useLastProject("preflab.battle.projectId");
  if (!ready) return null;
  if (projectId === null) return <ProjectPicker battles onPick={choose} />;
  return <BattleSession key={projectId} projectId={projectId} onChangeProject={() => choose(null)} />;
}

/** Live battles (Arena mode): anyone signed in writes a prompt and votes between two hidden policies. */
export default function BattlePage() {
  return (
    <RequireRole roles={["annotator", "researcher", "admin"]}>
      <BattleScreen />
    </RequireRole>
  );
}
