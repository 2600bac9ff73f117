"use client";

import type { StepView } from "@/lib/incidents/types";
import { Step } from "./step";
import type { Act } from "./use-incident-action";

export function Phase({ phaseKey, title, steps, act }: { phaseKey: string; title: string; steps: StepView[]; act: Act }) {
  const ordered = [...steps].sort((a, b) => a.position - b.position);
  const done = ordered.filter((s) => s.state === "done").length;
  const skipped = ordered.filter((s) => s.state === "skipped").length;
  const headingId = `phase-${phaseKey}`;
  return (
    <section className="panel phase" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {title}{" "}
        <span className="muted phase-progress">
          {done}/{ordered.length} done{skipped > 0 && `, ${skipped} skipped`}
        </span>
      </h3>
      <ol className="steps" aria-label={title}>
        {ordered.map((step) => (
          <Step key={step.step_id} step={step} act={act} />
        ))}
      </ol>
    </section>
  );
}
