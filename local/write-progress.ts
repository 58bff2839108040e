/**
 * Counts the customer writes of an import as they happen, for a progress line: the import use
 * case has no progress callback, so the count is taken at the store port it writes through.
 */
import type { CustomerStore } from '../core/ports.ts';

const WRITES: ReadonlySet<PropertyKey> = new Set(['upsertAccount', 'upsertContact']);

/** The same store; each upsert calls `onWrite` once it has completed. */
export function withWriteProgress(customers: CustomerStore, onWrite: () => void): CustomerStore {
  // A proxy, not a hand-written wrapper, so methods added to the port later pass through unchanged.
  return new Proxy(customers, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!WRITES.has(property)) return method.bind(target);
      return async (...args: unknown[]) => {
        const result = await method.apply(target, args);
        onWrite();
        return result;
      };
    },
  });
}
