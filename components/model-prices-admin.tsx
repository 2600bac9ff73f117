"use client";

import { z } from "zod";
import { formatUtc } from "@/lib/format";
import type { ModelPriceTableView, ModelPriceView } from "@/lib/model-prices/list-model-prices";
import { setModelPriceInput } from "@/lib/model-prices/schemas";
import { ConfirmButton } from "./ui/dialog";
import { Field, Form } from "./ui/form";
import { useAction } from "./ui/use-action";

const usd = (n: number) => `$${n.toLocaleString("en-US", { maximumFractionDigits: 4 })}`;

const setPriceForm = setModelPriceInput.extend({ reason: z.string().trim().min(3, "reason: say why (at least 3 characters)").max(2000) });
type SetPrice = z.output<typeof setPriceForm>;

/** An empty box is no number (so the schema says it is missing), not 0. */
const numberOrNothing = (value: FormDataEntryValue | null) => (String(value ?? "").trim() === "" ? undefined : Number(value));

function readPriceForm(form: FormData) {
  return {
    model: String(form.get("model") ?? ""),
    input_usd_per_mtok: numberOrNothing(form.get("input_usd_per_mtok")),
    output_usd_per_mtok: numberOrNothing(form.get("output_usd_per_mtok")),
    reason: String(form.get("reason") ?? ""),
  };
}

const priceUrl = (model: string) => `/api/v1/model-prices/${encodeURIComponent(model)}`;

function fallbackSentence(price: ModelPriceView): string {
  const fallback = price.default
    ? `the shipped default (${usd(price.default.input_usd_per_mtok)} / ${usd(price.default.output_usd_per_mtok)}) applies again`
    : "the model has no price then";
  return `${fallback[0]?.toUpperCase()}${fallback.slice(1)}.`;
}

export function ModelPricesAdmin({ table }: { table: ModelPriceTableView }) {
  const setPrice = useAction<SetPrice>({ method: "PUT", url: ({ model }) => priceUrl(model), body: ({ model: _model, ...body }) => body, refresh: true });
  const remove = useAction<{ model: string; reason: string }>({
    method: "DELETE",
    url: ({ model }) => priceUrl(model),
    body: ({ reason }) => ({ reason }),
    refresh: true,
  });

  return (
    <>
      <Form
        schema={setPriceForm}
        read={readPriceForm}
        action={setPrice}
        submitLabel="Set price"
        busyLabel="Setting…"
        className="panel form-row"
        aria-label="Set model price"
        onDone={(form) => form.reset()}
      >
        <Field label="Model" name="model" required placeholder="gpt-4o" />
        <Field label="Input USD / 1M tokens" name="input_usd_per_mtok" type="number" min={0} step="any" required />
        <Field label="Output USD / 1M tokens" name="output_usd_per_mtok" type="number" min={0} step="any" required />
        <Field label="Reason" name="reason" required placeholder="what changed" autoComplete="off" maxLength={2000} />
      </Form>
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
                    <ConfirmButton
                      danger
                      title={`Remove the price of ${p.model}?`}
                      message={fallbackSentence(p)}
                      confirmLabel="Remove price"
                      reason={{}}
                      ariaLabel={`Remove the price of ${p.model}`}
                      onConfirm={(reason) => remove.run({ model: p.model, reason })}
                    >
                      Remove
                    </ConfirmButton>
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
