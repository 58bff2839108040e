/**
 * `npm run erase -- <email|contact-id>`: erases one person's personal data from every item
 * (core/privacy/erase-person.ts) and prints how many items of each kind it removed, stripped or
 * made anonymous, never the data itself. Their suppression stays, as a hash of the address.
 * Exit codes: 0 erased (or nothing left from an earlier erasure), 2 a bad argument or nobody with
 * that address or id (nothing changed), 1 anything else (run it again: every step can repeat).
 *
 * Target: the local engine's table (like pause and import: DYNAMODB_ENDPOINT + TABLE_NAME, or the
 * DynamoDB Local of `npm start`), or a deployed stage's table with `--aws-table <name>`.
 */
import { fileURLToPath } from 'node:url';
import { systemClock } from '../adapters/local/system-clock.ts';
import { describeErasure, erasePerson, parsePersonIdentifier, PersonIdentifierError, type ErasureResult } from '../core/privacy/erase-person.ts';
import { withToolStore } from '../local/local-store-session.ts';
import { AWS_TABLE_HELP, UsageError, readCommandLine, runCommand } from '../local/command-line.ts';

const USAGE = 'npm run erase -- <email|contact-id> [--aws-table <deployed table name>]';

async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: USAGE,
      summary: "Erases a person's personal data (contact, events, registrations, comments, ...) and keeps counters and their suppression, as a hash of the address.",
      options: { 'aws-table': { type: 'string' } },
      optionHelp: { 'aws-table': AWS_TABLE_HELP },
    },
    projectRoot,
  );
  if (positionals.length !== 1) throw new UsageError(`expected one email address or contact id\nusage: ${USAGE}`);
  let person;
  try {
    person = parsePersonIdentifier(positionals[0] as string);
  } catch (error) {
    if (error instanceof PersonIdentifierError) throw new UsageError(`${error.message}\nusage: ${USAGE}`);
    throw error;
  }
  const whom = 'email' in person ? 'the person with that address' : `contact ${person.contactId}`;
  const result: ErasureResult = await withToolStore({ awsTable: values['aws-table'], settings, env: process.env }, (store) =>
    erasePerson(person, { customers: store.customers, erasure: store.erasure, clock: systemClock }),
  );
  if (result.outcome === 'unknown') throw new UsageError(`not erased: ${result.message}`);
  if (result.outcome === 'nothing-left') {
    console.log(`nothing left to remove for ${whom}: erased before, only the hashed suppression is kept`);
    return;
  }
  console.log(`erased ${whom}: ${describeErasure(result.removed)}`);
  console.log('kept: KPI counters, account scores, anonymous webinar attendance, and the suppression as a hash of the address');
}

runCommand(main);
