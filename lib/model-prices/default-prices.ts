/**
 * List prices (USD per million tokens, standard tier: no batch or cached-input discount) of widely
 * used models, as the providers published them on DEFAULT_PRICES_AS_OF. An admin's price for the
 * same model takes precedence; these only cost LLM calls that arrive without a cost of their own.
 */
export const DEFAULT_PRICES_AS_OF = "2026-04-12";

export interface ModelPrice {
  model: string;
  inputUsdPerMtok: number;
  outputUsdPerMtok: number;
}

const price = (model: string, inputUsdPerMtok: number, outputUsdPerMtok: number): ModelPrice => ({ model, inputUsdPerMtok, outputUsdPerMtok });

export const DEFAULT_PRICES: readonly ModelPrice[] = [
  price("gpt-5.4", 2.5, 15),
  price("gpt-5.1", 1.25, 10),
  price("gpt-5", 1.25, 10),
  price("gpt-5-mini", 0.25, 2),
  price("gpt-5-nano", 0.05, 0.4),
  price("gpt-5-pro", 15, 120),
  price("gpt-4.1", 2, 8),
  price("gpt-4.1-mini", 0.4, 1.6),
  price("gpt-4.1-nano", 0.1, 0.4),
  price("gpt-4o", 2.5, 10),
  price("gpt-4o-mini", 0.15, 0.6),
  price("o3", 2, 8),
  price("o3-mini", 1.1, 4.4),
  price("o4-mini", 1.1, 4.4),
  price("text-embedding-3-small", 0.02, 0),
  price("text-embedding-3-large", 0.13, 0),
  price("claude-opus-4-6", 5, 25),
  price("claude-opus-4-5", 5, 25),
  price("claude-opus-4-1", 15, 75),
  price("claude-opus-4", 15, 75),
  price("claude-sonnet-4", 3, 15),
  price("claude-3-7-sonnet", 3, 15),
  price("claude-haiku-4-5", 1, 5),
  price("claude-3-5-haiku", 0.8, 4),
  price("claude-3-haiku", 0.25, 1.25),
  price("gemini-2.5-pro", 1.25, 10),
  price("gemini-2.5-flash", 0.3, 2.5),
  price("gemini-2.5-flash-lite", 0.1, 0.4),
  price("gemini-2.0-flash", 0.1, 0.4),
];
