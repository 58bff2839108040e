/**
 * Counts what a DynamoDB client sends, by middleware on its stack (a document client made
 * `from` it shares the stack, so its commands are counted too). `commands` counts each
 * `send()`; `attempts` counts each HTTP request, retries included.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoRequestCounts {
  commands: number;
  attempts: number;
  byCommand: Record<string, number>;
}

export class DynamoRequestCounter {
  private commands = 0;
  private attempts = 0;
  private readonly byCommand = new Map<string, number>();

  /** Adds the counting middleware to `client`; count from then on with `snapshot()` and `since()`. */
  static attach(client: DynamoDBClient): DynamoRequestCounter {
    const counter = new DynamoRequestCounter();
    client.middlewareStack.add(
      (next, context) => (args) => {
        const command = context.commandName ?? 'unknown';
        counter.commands += 1;
        counter.byCommand.set(command, (counter.byCommand.get(command) ?? 0) + 1);
        return next(args);
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
    return { commands: this.commands, attempts: this.attempts, byCommand: Object.fromEntries(this.byCommand) };
  }

  /** What was sent after `earlier` was taken. */
  since(earlier: DynamoRequestCounts): DynamoRequestCounts {
    const now = this.snapshot();
    const byCommand: Record<string, number> = {};
    for (const [command, count] of Object.entries(now.byCommand)) {
      const delta = count - (earlier.byCommand[command] ?? 0);
      if (delta > 0) byCommand[command] = delta;
    }
    return { commands: now.commands - earlier.commands, attempts: now.attempts - earlier.attempts, byCommand };
  }
}
