"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { formatUtc } from "@/lib/format";
import type { ModelPriceTableView, ModelPriceView } from "@/lib/model-prices/list-model-prices";
import { callApi } from "./api-client";
import { ProblemBox } from "./shown-once";
import { useAsk } from "./ui/dialog";

const usd = (n: number) => `$${n.toLocaleString("en-US", { maximumFractionDigits: 4 })}`;

export function ModelPricesAdmin({ table }: { table: ModelPriceTableView }) {
  const router = useRouter();
  const { dialog, ask } = useAsk();
  const [problem, setProblem] = useState<string | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const form = new FormData(target);
    const model = String(form.get("model") ?? "").trim();
    const answer = await ask({ title: `Set the price of ${model}?`, confirmLabel: "Set price", reason: {} });
    if (!answer) return;
    const { reason } = answer;
    const result = await callApi("PUT", `/api/v1/model-prices/${encodeURIComponent(model)}`, {
      input_usd_per_mtok: Number(form.get("input")),
      output_usd_per_mtok: Number(form.get("output")),
      reason,
    });
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    target.reset();
    router.refresh();
  }

  async function remove(price: ModelPriceView) {
    const fallback = price.default
      ? `the shipped default (${usd(price.default.input_usd_per_mtok)} / ${usd(price.default.output_usd_per_mtok)}) applies again`
      : "the model has no price then";
    const answer = await ask({
      title: `Remove the price of ${price.model}?`,
      message: `${fallback[0]?.toUpperCase()}${fallback.slice(1)}.`,
      confirmLabel: "Remove price",
      danger: true,
      reason: {},
    });
    if (!answer) return;
    const { reason } = answer;
    const result = await callApi("DELETE", `/api/v1/model-prices/${encodeURIComponent(price.model)}`, { reason });
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    router.refresh();
  }

  return (
    <>
      {dialog}
      <ProblemBox problem={problem} />
      <form className="panel form-row" onSubmit={(e) => void save(e)} aria-label="Set model price">
        <label>
          Model
          <input name="model" required placeholder="gpt-4o" />
        </label>
        <label>
          Input USD / 1M tokens
          <input name="input" type="number" min={0} step="any" required />
        </label>
        <label>
          Output USD / 1M tokens
          <input name="output" type="number" min={0} step="any" required />
        </label>
        <button type="submit" className="primary">
          Set price
        </button>
      </form>
      <div className="panel" style={{ marginTop: 16 }}>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region needs the focus to scroll by keyboard */}
        <table aria-label="Model prices" tabIndex={0}>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Input / 1M</th>
              <th scope="col">Output / 1M</th>
              <th scope="col">Source</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {table.prices.map((p) => (
              <tr key={p.model}>
                <td className="mono">{p.model}</td>
                <td>{usd(p.input_usd_per_mtok)}</td>
                <td>{usd(p.output_usd_per_mtok)}</td>
                <td>
                  {p.source === "admin" ? (
                    <>
                      set by {p.updated_by} {p.updated_at ? formatUtc(p.updated_at) : ""}
                      {p.default ? ` (default ${usd(p.default.input_usd_per_mtok)} / ${usd(p.default.output_usd_per_mtok)})` : ""}
                    </>
                  ) : (
                    `default, ${table.defaults_as_of}`
                  )}
                </td>
                <td className="actions">
                  {p.source === "admin" && (
                    <button type="button" className="danger" onClick={() => void remove(p)}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
