/**
 * How wide a campaign run fans out: how many dispatch workers (run shards) a contact count gets,
 * and which partitions of the contact listing each worker reads. The listing has a fixed, generous
 * number of partitions; the worker count grows with the contacts up to a Lambda concurrency bound,
 * so a bigger customer base gets a wider run, not a longer one, and nothing is ever re-keyed.
 * Worker `w` of `W` reads partitions w, w + W, w + 2W, ...: every partition belongs to exactly one
 * worker, so every contact is listed exactly once whatever W is.
 */

/** What sizes a run's fan-out. */
export interface FanOutPolicy {
  /**
   * Contacts one worker takes on: at the measured ~230 contacts/s of one worker (bench dispatch,
   * DynamoDB Local), 100,000 take about 7 minutes, well inside one 15-minute invocation.
   */
  contactsPerWorker: number;
  /** Workers of one run at most: the dispatch-shard queue's event-source concurrency (CDK context `dispatchMaxWorkers`). */
  maxWorkers: number;
}

export const DEFAULT_FAN_OUT: FanOutPolicy = { contactsPerWorker: 100_000, maxWorkers: 32 };

/** Workers for about `contacts` contacts: one per `contactsPerWorker`, at least one, at most `maxWorkers` and the partition count. */
export function dispatchWorkersFor(contacts: number, policy: FanOutPolicy, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`run fan-out: the contact listing must have at least one partition, got ${partitions}`);
  if (!(policy.contactsPerWorker > 0) || !Number.isInteger(policy.maxWorkers) || policy.maxWorkers < 1) {
    throw new Error(`run fan-out: contactsPerWorker must be positive and maxWorkers a positive integer, got ${policy.contactsPerWorker} and ${policy.maxWorkers}`);
  }
  const wanted = Math.ceil(Math.max(0, contacts) / policy.contactsPerWorker);
  return Math.min(Math.max(wanted, 1), policy.maxWorkers, partitions);
}

/** The partitions worker `worker` of `workers` reads, in the order it reads them. */
export function partitionsOfWorker(worker: number, workers: number, partitions: number): number[] {
  if (!Number.isInteger(worker) || worker < 0 || worker >= workers) throw new Error(`run fan-out: worker ${worker} is outside 0..${workers - 1}`);
  const owned: number[] = [];
  for (let partition = worker; partition < partitions; partition += workers) owned.push(partition);
  return owned;
}

/** A run's width: its shard count and the list partitions they share, as fixed when it began. */
export interface RunWidth {
  shards: number;
  listPartitions: number;
}

/**
 * The width a run was begun with. A run from when each shard was one list partition has no
 * `listPartitions` (it equals `shards`); one from before runs recorded any width had no
 * checkpoints either, so it is read as one shard over the whole listing.
 */
export function runWidthOf(run: { shards?: number | undefined; listPartitions?: number | undefined }, listingPartitions: number): RunWidth {
  if (run.shards === undefined) return { shards: 1, listPartitions: listingPartitions };
  return { shards: run.shards, listPartitions: run.listPartitions ?? run.shards };
}
