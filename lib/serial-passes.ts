import { describeError } from "@/lib/errors";

/**
 * A background job run as passes, at most one at a time per process: a call during a pass asks for
 * one more after it and shares its promise, and passes repeat while `pass` says more is due now.
 * Failures are logged once per distinct problem, never thrown: the periodic loop and the next kick
 * try again.
 */
export function serialPasses<A>(label: string, what: string, pass: (arg: A) => Promise<{ more: boolean }>): (arg: A) => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  let lastProblem = "";
  return (arg: A) => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          if ((await pass(arg)).more) again = true;
        } while (again);
        lastProblem = "";
      } catch (err) {
        const problem = describeError(err);
        if (problem !== lastProblem) console.error(`[${label}] ${what} failed; retrying shortly: ${problem}`);
        lastProblem = problem;
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
