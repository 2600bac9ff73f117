import { inspect } from "node:util";
import { AppError } from "@/lib/errors";

/** The AppError a call fails with; the test fails if it succeeds or throws anything else. */
export async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw new Error(`expected an AppError, got ${inspect(err)}`);
  }
  throw new Error("expected the call to fail");
}

/** Every way an error can be shown or serialised, so a secret hidden in a field or a cause is found too. */
export function errorRenderings(err: Error): string[] {
  return [err.message, String(err), err.stack ?? "", JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })];
}
