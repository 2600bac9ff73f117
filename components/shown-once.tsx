/** A secret the server returns once (password, token, key): shown here, never again. */
export function ShownOnce({ title, hint, secret }: { title: string; hint: string; secret: string }) {
  return (
    <div className="notice" role="status">
      {title} — shown only now; {hint}:<div className="secret-once">{secret}</div>
    </div>
  );
}

export function ProblemBox({ problem }: { problem: string | null }) {
  return problem ? (
    <div className="error-box" role="alert">
      {problem}
    </div>
  ) : null;
}
