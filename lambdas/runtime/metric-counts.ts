/**
 * Writes the counts a handler maps from a use case's result as EMF metrics. A count of zero is
 * not written (a missing data point reads as zero on the dashboard and never breaches an alarm);
 * a dimensioned count is one single-metric blob per value, so each value is its own series.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';

export function addCount(metrics: Metrics, name: string, count: number): void {
  if (count > 0) metrics.addMetric(name, MetricUnit.Count, count);
}

/** `counts` maps a dimension value (a skip reason, an SES event type) to its count. */
export function addCountsBy(metrics: Metrics, name: string, dimension: string, counts: ReadonlyMap<string, number>): void {
  for (const [value, count] of counts) {
    if (count <= 0) continue;
    const single = metrics.singleMetric();
    single.addDimension(dimension, value);
    single.addMetric(name, MetricUnit.Count, count);
  }
}

/** Tallies values (outcomes, reasons) into counts. */
export function tally<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Flushes what was added; nothing added, nothing written (Powertools would warn about an empty flush). */
export function publishCounts(metrics: Metrics): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
