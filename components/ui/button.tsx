import type { ButtonHTMLAttributes } from "react";

export type ButtonVariant = "default" | "primary" | "danger";

/** The console's one button: `danger` for anything that stops, revokes or deletes; `busy` disables it and says so. */
export function Button({
  variant = "default",
  busy = false,
  busyLabel,
  className,
  children,
  disabled,
  type = "button",
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; busy?: boolean; busyLabel?: string }) {
  const classes = [variant === "default" ? null : variant, className].filter(Boolean).join(" ") || undefined;
  return (
    <button type={type} className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}
