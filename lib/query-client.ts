import { QueryClient } from "@tanstack/react-query";

/** One place for the console's caching policy: live data, short staleness, a couple of retries. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 5_000, retry: 2, refetchOnWindowFocus: true },
    },
  });
}
