/**
 * A response body made only as fast as the client reads it: the next piece
 * is asked of `source` when the client has taken the last one (a pull-based
 * ReadableStream with no queue of its own; Next.js waits for the socket to
 * drain before it reads again). A client that never reads therefore holds
 * one piece in the web process, not the whole response. One that takes
 * nothing for `stallMs` while a piece waits is cut off, so a connection
 * that makes no progress does not hold its place (and its stream lease) for
 * ever. `onClose` runs once, however the body ends.
 */
export const STALL_MS = 60_000;

export function pullStream(
  source: AsyncGenerator<string | Uint8Array, void>,
  opts: { onClose?: () => void; stallMs?: number } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  let stall: NodeJS.Timeout | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(stall);
    opts.onClose?.();
    // Ends the generator (its finally blocks run) once any pending step is done.
    void source.return(undefined).catch(() => undefined);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        clearTimeout(stall);
        try {
          const step = await source.next();
          if (closed) return;
          if (step.done) {
            close();
            controller.close();
            return;
          }
          controller.enqueue(typeof step.value === "string" ? encoder.encode(step.value) : step.value);
          stall = setTimeout(() => {
            close();
            controller.error(new Error("the client read nothing for too long"));
          }, opts.stallMs ?? STALL_MS);
        } catch (err) {
          if (closed) return;
          close();
          controller.error(err);
        }
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
}
