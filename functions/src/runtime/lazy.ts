/**
 * Builds a value on first use and keeps it: each handler's dependencies are
 * created once per cold start, after the environment is in place.
 */
export function lazy<T>(build: () => T): () => T {
  let value: { built: T } | undefined;
  return () => {
    value ??= { built: build() };
    return value.built;
  };
}
