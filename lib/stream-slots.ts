import type { AppError } from "@/lib/errors";

/**
 * Counts the long-lived streams each holder (an ingest key, a person, a token) has open in this
 * process, so that one credential cannot hold the server's connections and work without bound.
 */
export function streamSlots(limit: number, refusal: (open: number) => AppError) {
  const open = new Map<string, number>();
  return {
    /** Takes one of the holder's slots, or throws `refusal`; the returned release is safe to call twice. */
    take(holder: string): () => void {
      const count = open.get(holder) ?? 0;
      if (count >= limit) throw refusal(count);
      open.set(holder, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(holder) ?? 1) - 1;
        if (left > 0) open.set(holder, left);
        else open.delete(holder);
      };
    },
  };
}
