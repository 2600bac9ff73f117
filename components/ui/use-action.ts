"use client";

import { type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { callApi, type FieldErrors } from "../api-client";

export class ActionProblem extends Error {
  constructor(
    message: string,
    readonly fields: FieldErrors,
  ) {
    super(message);
  }
}

/**
 * One change sent to the console's API, on react-query's useMutation: busy while it runs, the server's
 * sentence and field errors when it refuses, and afterwards the queries it touched refetched (and the
 * server-rendered page refreshed, when `refresh`). `run` resolves to the refusal or null, which is what
 * ConfirmDialog wants.
 */
export function useAction<Body = unknown, Data = unknown>({
  method,
  url,
  body: toBody = (input) => input,
  invalidate = [],
  refresh = false,
  onDone,
  sentence,
}: {
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  url: string | ((input: Body) => string);
  /** What is sent, when the input also names the target (`{ id, ...body }`); the input itself by default. */
  body?: (input: Body) => unknown;
  invalidate?: QueryKey[];
  refresh?: boolean;
  onDone?: (data: Data) => void;
  /** The sentence to show for a refusal, when the server's own is not the clearest here (its fields are marked anyway). */
  sentence?: (refusal: { message: string; fields: FieldErrors }) => string;
}) {
  const client = useQueryClient();
  const router = useRouter();
  const mutation = useMutation<Data, ActionProblem, Body>({
    mutationFn: async (input) => {
      const result = await callApi<Data>(method, typeof url === "function" ? url(input) : url, toBody(input));
      if (!result.ok) throw new ActionProblem(sentence ? sentence({ message: result.error, fields: result.fields }) : result.error, result.fields);
      return result.data;
    },
    onSettled: async () => {
      await Promise.all(invalidate.map((queryKey) => client.invalidateQueries({ queryKey })));
      if (refresh) router.refresh();
    },
    onSuccess: (data) => onDone?.(data),
  });
  return {
    run: async (body: Body): Promise<string | null> => {
      try {
        await mutation.mutateAsync(body);
        return null;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
    busy: mutation.isPending,
    error: mutation.error?.message ?? null,
    fields: mutation.error?.fields ?? {},
    reset: mutation.reset,
  };
}
