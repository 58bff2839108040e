/**
 * Ingest API: batch upsert of accounts and contacts from a CRM or a data pipeline.
 * Authenticated with a bearer token; the body is checked record by record exactly like a
 * CSV import, and the response says which records were rejected and why.
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { formatLocation, importCustomers, type ImportCatalogue, type ImportReport } from '../core/customers/import-customers.ts';
import type { Clock, CustomerStore } from '../core/ports.ts';

export const MAX_INGEST_RECORDS = 1000;

const ingestBodySchema = z.strictObject({
  accounts: z.array(z.unknown()).max(MAX_INGEST_RECORDS, { error: `at most ${MAX_INGEST_RECORDS} accounts per request` }).default([]),
  contacts: z.array(z.unknown()).max(MAX_INGEST_RECORDS, { error: `at most ${MAX_INGEST_RECORDS} contacts per request` }).default([]),
});

export interface IngestDeps {
  customers: CustomerStore;
  clock: Clock;
  /** Compared in constant time by the bearer middleware. */
  ingestToken: string;
  /** The products and topics the config declares; records naming others are rejected. */
  catalogue?: ImportCatalogue;
  /** Runs after the records are written (e.g. enroll accounts that entered a phase in sequences). */
  onImported?: (report: ImportReport) => Promise<void>;
}

export function ingestRoutes(deps: IngestDeps): Hono {
  const app = new Hono();
  app.use('*', bearerAuth({ token: deps.ingestToken }));
  app.use('*', bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => c.json({ error: 'request body is larger than 2 MiB: split the batch' }, 413) }));
  app.post('/customers', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'request body must be JSON: { "accounts": [...], "contacts": [...] }' }, 400);
    }
    const parsed = ingestBodySchema.safeParse(body);
    if (!parsed.success) {
      return c.json({ error: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ') }, 400);
    }
    const report = await importCustomers(
      {
        accounts: parsed.data.accounts.map((value, index) => ({ location: { source: 'accounts', index }, value })),
        contacts: parsed.data.contacts.map((value, index) => ({ location: { source: 'contacts', index }, value })),
        ...(deps.catalogue ? { catalogue: deps.catalogue } : {}),
      },
      deps.customers,
      deps.clock,
    );
    await deps.onImported?.(report);
    return c.json({
      accounts: report.accounts,
      contacts: report.contacts,
      rejected: report.rejected.map((rejected) => ({ record: formatLocation(rejected.location), reason: rejected.reason })),
    });
  });
  return app;
}
