"use client";

import { useEffect, useState } from "react";
import { Button } from "../ui/button";

export function CommandBlock({ command, title }: { command: string; title: string }) {
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 4_000);
    return () => clearTimeout(timer);
  }, [copied]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(command);
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <div className="command-block">
      <pre>
        <code>{command}</code>
      </pre>
      <div className="command-tools">
        <Button onClick={() => void copy()} aria-label={`Copy command: ${title}`}>
          Copy
        </Button>
        <span role="status" className="copy-state">
          {copied === "copied" ? "copied" : copied === "failed" ? "The browser refused to copy: select the command and copy it by hand" : ""}
        </span>
      </div>
    </div>
  );
}
