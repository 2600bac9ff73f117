"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Keeps a server-rendered page current by re-rendering it on the server every few seconds; client state survives. */
export function AutoRefresh({ seconds }: { seconds: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, seconds * 1000);
    return () => clearInterval(timer);
  }, [router, seconds]);
  return (
    <span className="live" aria-live="off">
      live
    </span>
  );
}
