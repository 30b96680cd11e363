/**
 * For commands that serve until stopped (`nasx worker`, `nasx ui`): a signal that aborts on SIGINT,
 * SIGTERM or `also` (tests), and `release()` to remove the process listeners again.
 */
export function stopSignal(also?: AbortSignal): { readonly signal: AbortSignal; stopped(): Promise<void>; release(): void } {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  also?.addEventListener('abort', onSignal, { once: true });
  return {
    signal: stop.signal,
    stopped: () => new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve(), { once: true }))),
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
