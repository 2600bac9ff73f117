"use client";

import { useId, useState } from "react";
import { RANGE_PRESETS, type TimeRangeInput } from "@/lib/time-range";

export interface TimeRangePreset {
  value: string;
  label: string;
}

interface TimeRangeProps {
  value: TimeRangeInput;
  /** The relative ranges offered; the Events page offers the shared presets, the dashboard those its rollups serve. */
  presets?: readonly TimeRangePreset[];
  /** Offer "from / to" (absolute, UTC) besides the presets. */
  allowCustom?: boolean;
  /** Offer no bound at all, under this label ("All time"). */
  allLabel?: string;
  /**
   * Without it, the picker is part of a GET form: it submits `range`, or `since` and `until`, and only
   * those that apply, so the URL carries exactly the range shown. With it, each choice is reported at once.
   */
  onChange?: (value: TimeRangeInput) => void;
}

const CUSTOM = "custom";
const ALL = "";

/** A time range: a relative preset ("last 1 h") or, with allowCustom, absolute from/to bounds in UTC. */
export function TimeRange({ value, presets = RANGE_PRESETS, allowCustom = false, allLabel, onChange }: TimeRangeProps) {
  const id = useId();
  const known = presets.some((p) => p.value === value.range);
  const initial = value.range ? value.range : value.since || value.until ? CUSTOM : allLabel ? ALL : (presets[0]?.value ?? ALL);
  const [choice, setChoice] = useState(initial);
  const custom = choice === CUSTOM;

  const choose = (next: string) => {
    setChoice(next);
    if (onChange && next !== CUSTOM) onChange(next === ALL ? {} : { range: next });
  };

  return (
    <fieldset className="time-range">
      <legend className="sr-only">Time range</legend>
      <label htmlFor={`${id}-range`}>
        Time range
        <select id={`${id}-range`} value={choice} onChange={(e) => choose(e.target.value)}>
          {allLabel && <option value={ALL}>{allLabel}</option>}
          {presets.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
          {!known && value.range && <option value={value.range}>Last {value.range}</option>}
          {allowCustom && <option value={CUSTOM}>From / to…</option>}
        </select>
      </label>
      {!onChange && choice !== ALL && !custom && <input type="hidden" name="range" value={choice} />}
      {custom && (
        <>
          <label htmlFor={`${id}-since`}>
            From (UTC, ISO 8601 or epoch s)
            <input id={`${id}-since`} name="since" defaultValue={value.since} placeholder="2026-11-24T08:00Z" autoComplete="off" />
          </label>
          <label htmlFor={`${id}-until`}>
            To (empty: now)
            <input id={`${id}-until`} name="until" defaultValue={value.until} placeholder="2026-11-24T09:00Z" autoComplete="off" />
          </label>
        </>
      )}
    </fieldset>
  );
}
