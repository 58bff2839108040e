/**
 * Times the calls a use case makes on a port, without changing them: `watch(port, names)` returns
 * the same port whose named methods record how long each call took (until its promise settled).
 * For explaining a bench's figures (where the time between two sends goes), not for the figures.
 */
import { formatTable } from './figure-table.ts';

export class StepLatencies {
  private readonly samples = new Map<string, number[]>();

  /** A proxy of `port` whose `methods` are timed under `<label>.<method>`. */
  watch<T extends object>(label: string, port: T, methods: readonly (keyof T & string)[]): T {
    const timedMethods = new Set<string | symbol>(methods);
    return new Proxy(port, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || !timedMethods.has(property)) return value;
        return (...args: unknown[]) => {
          const started = performance.now();
          const record = () => this.record(`${label}.${String(property)}`, performance.now() - started);
          const result: unknown = value.apply(target, args);
          if (result instanceof Promise) return result.finally(record);
          record();
          return result;
        };
      },
    });
  }

  record(step: string, ms: number): void {
    const list = this.samples.get(step) ?? [];
    list.push(ms);
    this.samples.set(step, list);
  }

  /** Mean, median and 95th percentile in ms per step. */
  summary(): Map<string, { calls: number; mean: number; p50: number; p95: number }> {
    const summary = new Map<string, { calls: number; mean: number; p50: number; p95: number }>();
    for (const [step, values] of [...this.samples].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = [...values].sort((a, b) => a - b);
      const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
      summary.set(step, { calls: values.length, mean: values.reduce((sum, value) => sum + value, 0) / values.length, p50: at(0.5), p95: at(0.95) });
    }
    return summary;
  }

  table(): string[] {
    return formatTable(
      ['step', 'calls', 'mean ms', 'p50 ms', 'p95 ms'],
      [...this.summary()].map(([step, stats]) => [step, String(stats.calls), stats.mean.toFixed(1), stats.p50.toFixed(1), stats.p95.toFixed(1)]),
    );
  }
}
