import { Fragment } from "react";

/** The text split into plain, `code` and **strong** pieces, each keyed by where it starts. */
function pieces(text: string): { key: number; kind: "plain" | "code" | "strong"; value: string }[] {
  let at = 0;
  return text.split(/(`[^`]+`|\*\*[^*]+\*\*)/g).map((part) => {
    const key = at;
    at += part.length;
    if (part.length > 1 && part.startsWith("`") && part.endsWith("`")) return { key, kind: "code", value: part.slice(1, -1) };
    if (part.length > 3 && part.startsWith("**") && part.endsWith("**")) return { key, kind: "strong", value: part.slice(2, -2) };
    return { key, kind: "plain", value: part };
  });
}

/** A description as the document writes it: `code` and **strong** marked, everything else plain text. */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {pieces(text).map(({ key, kind, value }) => {
        if (kind === "code") return <code key={key}>{value}</code>;
        if (kind === "strong") return <strong key={key}>{value}</strong>;
        return <Fragment key={key}>{value}</Fragment>;
      })}
    </>
  );
}

/** Paragraphs split on blank lines. */
export function Paragraphs({ text, className }: { text: string; className?: string }) {
  return (
    <>
      {text
        .split(/\n{2,}/)
        .filter(Boolean)
        .map((para) => (
          <p key={para} className={className}>
            <RichText text={para} />
          </p>
        ))}
    </>
  );
}
