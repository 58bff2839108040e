/**
 * How the fault scenario runs a job the way AWS does: one invocation ends at its first failed
 * request, and whatever it still had in flight dies with it (a Lambda invocation that threw does
 * not go on writing in the background); then the scheduler or the queue runs it again, and the
 * next invocation goes on where the last one stopped.
 */
import type { Store } from '../../core/ports.ts';

export class InvocationEndedError extends Error {
  constructor() {
    super('this job invocation already failed: its remaining requests never run');
    this.name = 'InvocationEndedError';
  }
}

/** The store as one invocation sees it: after its first failed request, every later one fails at once. */
export function invocationOf(store: Store): Store {
  let ended = false;
  const wrap = <T extends object>(part: T): T =>
    new Proxy(part, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          if (ended) return Promise.reject(new InvocationEndedError());
          const result: unknown = Reflect.apply(value, target, args);
          if (!(result instanceof Promise)) return result;
          return result.catch((error: unknown) => {
            ended = true;
            throw error;
          });
        };
      },
    });
  return Object.fromEntries(Object.entries(store).map(([name, part]) => [name, wrap(part as object)])) as unknown as Store;
}

/** Runs a job (or an ops command) in fresh invocations until one gets through the injected faults. */
export async function runUntilThrough<T>(job: (store: Store) => Promise<T>, store: Store, attempts = 200): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await job(invocationOf(store));
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}
