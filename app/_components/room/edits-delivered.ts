import type { HocuspocusProvider } from "@hocuspocus/provider";

/** Longest a Run, Test or Submit waits for the person's own last keystrokes to reach the room server. */
const WAIT_MS = 5_000;

/**
 * Resolves once every local edit has been acknowledged by the room server
 * (which stores it before acknowledging), or after WAIT_MS. Run, Test and
 * Submit read the room's files from the server: someone who types and
 * presses Ctrl+Enter at once expects the lines they just typed to run, not
 * the text of a moment ago.
 */
export function editsDelivered(provider: HocuspocusProvider | undefined): Promise<void> {
  if (!provider?.hasUnsyncedChanges) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      provider.off("unsyncedChanges", check);
      resolve();
    };
    const check = () => {
      if (!provider.hasUnsyncedChanges) done();
    };
    const timer = setTimeout(done, WAIT_MS);
    provider.on("unsyncedChanges", check);
  });
}
