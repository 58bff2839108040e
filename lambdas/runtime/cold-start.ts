/**
 * Builds a function's dependencies once per container, on the first invocation (not at import, so
 * tests can import a handler module without its environment), and builds again after a failure
 * instead of caching it: a throttled secret read must not poison the container.
 */
export function onceBuilt<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}
