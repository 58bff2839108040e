/**
 * A DynamoDB client that fails on purpose: a share of requests is throttled before it reaches the
 * table (nothing written), and a smaller share after the table applied it (written, but the caller
 * sees an error: the response was lost). One attempt per request, so the SDK's own retries do not
 * absorb the faults and the use cases have to cope with them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_AWS } from '../../local/dynamodb-local.ts';

export interface DynamoFaultRates {
  /** Share of requests refused before the table sees them. */
  throttledBefore: number;
  /** Share of requests applied by the table whose answer is replaced by a throttling error. */
  lostAfterWrite: number;
}

export interface FaultyDynamo {
  client: DynamoDBClient;
  /** Faults fire only while this is true (setup and final reads run clean). */
  faulty: boolean;
  /** Injected faults so far, by when they struck. */
  readonly injected: { before: number; after: number };
}

export function faultyDynamoClient(endpoint: string, rates: DynamoFaultRates, random: () => number): FaultyDynamo {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
  const faulty: FaultyDynamo = { client, faulty: false, injected: { before: 0, after: 0 } };
  const throttle = (commandName: string, when: string): Error => {
    const name = random() < 0.5 ? 'ProvisionedThroughputExceededException' : 'ThrottlingException';
    return Object.assign(new Error(`${commandName}: ${name} injected ${when} the table answered`), { name, $retryable: { throttling: true } });
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!faulty.faulty) return next(args);
      const roll = random();
      if (roll < rates.throttledBefore) {
        faulty.injected.before++;
        throw throttle(context.commandName ?? 'request', 'before');
      }
      const output = await next(args);
      if (roll < rates.throttledBefore + rates.lostAfterWrite) {
        faulty.injected.after++;
        throw throttle(context.commandName ?? 'request', 'after');
      }
      return output;
    },
    { step: 'initialize', name: 'injectDynamoFaults' },
  );
  return faulty;
}
