/**
 * A loader that runs `load` once and shares the promise; a failed load is forgotten so it can be
 * retried (after the user fixes the data).
 *
 * @example
 * private readonly loadOnce = loadOnce(() => this.loadNow());
 * load(): Promise<void> { return this.loadOnce(); }
 */
export function loadOnce(load: () => void | Promise<void>): () => Promise<void> {
  let loading: Promise<void> | undefined;
  return () =>
    (loading ??= Promise.resolve()
      .then(load)
      .catch((e: unknown) => {
        loading = undefined;
        throw e;
      }));
}
