/**
 * Counts what a DynamoDB client sends, by middleware on its stack (a document client made
 * `from` it shares the stack, so its commands are counted too). `commands` counts each
 * `send()`; `attempts` counts each HTTP request, retries included. With `capacity`, every
 * command also asks for its consumed capacity (`ReturnConsumedCapacity: INDEXES`, which changes
 * nothing else) and the read and write units are summed: DynamoDB Local reports them as DynamoDB
 * bills them for single-item commands (checked: a put with two index keys 3 WRU, an index key
 * moved 2 index WRU), which the cost bench turns into dollars. Not for transactions: it reported
 * 2 WRU for a transaction of an event put, two score updates, a counter update and a marker put
 * (DynamoDB bills 2 per item, 10). A transaction's units are therefore counted from the request,
 * as DynamoDB bills them: 2 per item per KB started, and 2 per index write (an item put with an
 * index's key, or an update that sets one: `transactionWriteUnits`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoRequestCounts {
  commands: number;
  attempts: number;
  byCommand: Record<string, number>;
  /** Read and write request units consumed (0 unless attached with `capacity`). */
  readUnits: number;
  writeUnits: number;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

type Consumed = { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined;

export class DynamoRequestCounter {
  private commands = 0;
  private attempts = 0;
  private readonly byCommand = new Map<string, number>();
  private readUnits = 0;
  private writeUnits = 0;

  /** Adds the counting middleware to `client`; count from then on with `snapshot()` and `since()`. */
  static attach(client: DynamoDBClient, options: { capacity?: boolean } = {}): DynamoRequestCounter {
    const counter = new DynamoRequestCounter();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        counter.commands += 1;
        counter.byCommand.set(command, (counter.byCommand.get(command) ?? 0) + 1);
        const measured = options.capacity === true && (READS.has(command) || WRITES.has(command));
        const input = args.input as { ReturnConsumedCapacity?: string };
        if (measured && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        if (measured && command === 'TransactWriteItemsCommand') counter.writeUnits += transactionWriteUnits(args.input as TransactInput);
        else if (measured) {
          const consumed = (result.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity;
          const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
          if (READS.has(command)) counter.readUnits += units;
          else counter.writeUnits += units;
        }
        return result;
      },
      { step: 'initialize', name: 'benchCountCommands' },
    );
    // The deserialize step runs inside the retry middleware, so it sees every attempt.
    client.middlewareStack.add(
      (next) => (args) => {
        counter.attempts += 1;
        return next(args);
      },
      { step: 'deserialize', name: 'benchCountAttempts' },
    );
    return counter;
  }

  snapshot(): DynamoRequestCounts {
    return { commands: this.commands, attempts: this.attempts, byCommand: Object.fromEntries(this.byCommand), readUnits: this.readUnits, writeUnits: this.writeUnits };
  }

  /** What was sent after `earlier` was taken. */
  since(earlier: DynamoRequestCounts): DynamoRequestCounts {
    const now = this.snapshot();
    const byCommand: Record<string, number> = {};
    for (const [command, count] of Object.entries(now.byCommand)) {
      const delta = count - (earlier.byCommand[command] ?? 0);
      if (delta > 0) byCommand[command] = delta;
    }
    return { commands: now.commands - earlier.commands, attempts: now.attempts - earlier.attempts, byCommand, readUnits: now.readUnits - earlier.readUnits, writeUnits: now.writeUnits - earlier.writeUnits };
  }
}

type TransactInput = { TransactItems?: Array<Record<string, { Item?: unknown; UpdateExpression?: string } | undefined>> };

const INDEX_KEYS = ['GSI1PK', 'GSI2PK'] as const;

/**
 * The write units DynamoDB bills for a TransactWriteItems request: each item 2 units per KB started
 * (a put by its item's size; an update, delete or condition check as one KB, our items being
 * smaller), and each index write 2 more (a put whose item carries the index's key, an update whose
 * expression sets it). Updates of items already in an index are not in our transactions.
 */
export function transactionWriteUnits(input: TransactInput): number {
  let units = 0;
  for (const entry of input.TransactItems ?? []) {
    for (const [kind, operation] of Object.entries(entry)) {
      if (!operation) continue;
      const item = kind === 'Put' ? JSON.stringify(operation.Item ?? {}) : '';
      units += 2 * Math.max(1, Math.ceil(Buffer.byteLength(item) / 1024));
      const indexed = kind === 'Put' ? INDEX_KEYS.filter((key) => item.includes(`"${key}"`)) : INDEX_KEYS.filter((key) => (operation.UpdateExpression ?? '').includes(`${key} =`));
      units += 2 * indexed.length;
    }
  }
  return units;
}
