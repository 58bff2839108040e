/**
 * Contacts from an Amazon Pinpoint endpoint export (CreateExportJob: newline-delimited JSON, one
 * endpoint per line; https://docs.aws.amazon.com/pinpoint/latest/developerguide/audience-data-export.html,
 * fields as the Endpoint resource documents them). Email endpoints only (`ChannelType: EMAIL`; the
 * others are counted as skipped). The records go through the same import use case as the CSV files
 * (import-customers.ts), so ownership rules (CRM-owned fields only, one address one contact) and
 * idempotency hold; this module maps an endpoint to a contact record and keeps opt-outs:
 * - `OptOut: ALL`: consent `withdrawn` and the address suppressed (an engine-owned suppression, which
 *   no later CRM import lifts);
 * - never re-subscribes: a contact stored with consent `withdrawn` keeps it;
 * - `EndpointStatus: INACTIVE`: Pinpoint sets it when another endpoint took the same address, so it
 *   is a stale duplicate: skipped (its opt-out is still honoured: the address is suppressed).
 * Account id from a configurable attribute (User.UserAttributes, then Attributes; default
 * `AccountId`); locale from Demographic.Locale (ja_JP -> ja); zone from Demographic.Timezone, else
 * the country's one zone (Location.Country), else the default zone.
 */
import { z } from 'zod';
import { LOCALES, type Locale } from '../config/schema/common.ts';
import { isIanaTimeZone } from '../config/local-time.ts';
import type { Clock, CustomerStore, SuppressionStore } from '../ports.ts';
import type { Suppression } from '../tracking/suppression.ts';
import type { Contact } from './contact.ts';
import { importCustomers, type CandidateRecord, type ImportCatalogue, type ImportReport, type RejectedRecord } from './import-customers.ts';

export const DEFAULT_ACCOUNT_ATTRIBUTE = 'AccountId';

export interface EndpointMapping {
  /** The user or endpoint attribute holding the account id. */
  accountAttribute: string;
  defaultLocale: Locale;
  defaultTimeZone: string;
}

const stringList = z.array(z.string()).optional();
const endpointSchema = z.looseObject({
  Id: z.string().optional(),
  ChannelType: z.string({ error: 'expected the channel type, e.g. EMAIL' }),
  Address: z.string().optional(),
  EndpointStatus: z.string().optional(),
  OptOut: z.string().optional(),
  EffectiveDate: z.string().optional(),
  Attributes: z.record(z.string(), stringList).optional(),
  Demographic: z.looseObject({ Locale: z.string().optional(), Timezone: z.string().optional() }).optional(),
  Location: z.looseObject({ Country: z.string().optional() }).optional(),
  User: z.looseObject({ UserId: z.string().optional(), UserAttributes: z.record(z.string(), stringList).optional() }).optional(),
});

export type EndpointRead =
  | { kind: 'contact'; record: CandidateRecord; optedOut: boolean; email: string; endpointId: string }
  | { kind: 'suppress-only'; email: string; endpointId: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'rejected'; rejected: RejectedRecord };

// Countries with one time zone, for endpoints without Demographic.Timezone.
const COUNTRY_ZONES: Readonly<Record<string, string>> = {
  JP: 'Asia/Tokyo', KR: 'Asia/Seoul', SG: 'Asia/Singapore', TW: 'Asia/Taipei', HK: 'Asia/Hong_Kong', IN: 'Asia/Kolkata',
  GB: 'Europe/London', IE: 'Europe/Dublin', DE: 'Europe/Berlin', FR: 'Europe/Paris', NL: 'Europe/Amsterdam', IT: 'Europe/Rome',
  ES: 'Europe/Madrid', CH: 'Europe/Zurich', SE: 'Europe/Stockholm', NZ: 'Pacific/Auckland',
};

/** How a contact field is named in messages: the endpoint field it came from. */
export function endpointFieldLabel(mapping: EndpointMapping): (field: string) => string {
  const labels: Record<string, string> = {
    contactId: 'User.UserId',
    accountId: `User.UserAttributes.${mapping.accountAttribute}`,
    email: 'Address',
    firstName: 'User.UserAttributes.FirstName',
    lastName: 'User.UserAttributes.LastName',
    locale: 'Demographic.Locale',
    timeZone: 'Demographic.Timezone',
    consentAt: 'EffectiveDate',
  };
  return (field) => labels[field] ?? field;
}

/** One line of the export. `source` is the file's name, for the record's location. */
export function readEndpoint(value: unknown, location: { source: string; line: number }, mapping: EndpointMapping): EndpointRead {
  const parsed = endpointSchema.safeParse(value);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(line)'}: ${issue.message.replace(/^Invalid input: /, '')}`).join('; ');
    return { kind: 'rejected', rejected: { location, reason } };
  }
  const endpoint = parsed.data;
  if (endpoint.ChannelType !== 'EMAIL') return { kind: 'skipped', reason: `ChannelType ${endpoint.ChannelType}` };
  const email = (endpoint.Address ?? '').trim().toLowerCase();
  const endpointId = endpoint.Id ?? email;
  const optedOut = endpoint.OptOut === 'ALL';
  if (endpoint.EndpointStatus === 'INACTIVE') return optedOut && email !== '' ? { kind: 'suppress-only', email, endpointId } : { kind: 'skipped', reason: 'EndpointStatus INACTIVE (another endpoint has the address)' };
  const first = (name: string) => endpoint.User?.UserAttributes?.[name]?.[0] ?? endpoint.Attributes?.[name]?.[0];
  const accountId = first(mapping.accountAttribute);
  if (accountId === undefined || accountId.trim() === '') {
    return { kind: 'rejected', rejected: { location, reason: `User.UserAttributes.${mapping.accountAttribute}: required: the account id (no such user or endpoint attribute; name another with --account-attribute)` } };
  }
  const language = endpoint.Demographic?.Locale?.split(/[_-]/)[0]?.toLowerCase();
  const locale = (LOCALES as readonly string[]).includes(language ?? '') ? (language as Locale) : mapping.defaultLocale;
  const zone = endpoint.Demographic?.Timezone;
  const timeZone = zone !== undefined && isIanaTimeZone(zone) ? zone : (COUNTRY_ZONES[endpoint.Location?.Country?.toUpperCase() ?? ''] ?? mapping.defaultTimeZone);
  const effective = endpoint.EffectiveDate !== undefined && !Number.isNaN(Date.parse(endpoint.EffectiveDate)) ? new Date(endpoint.EffectiveDate).toISOString() : undefined;
  const firstName = first('FirstName');
  const lastName = first('LastName');
  const record: CandidateRecord = {
    location,
    value: {
      contactId: endpoint.User?.UserId ?? endpoint.Id,
      accountId: accountId.trim(),
      email,
      ...(firstName === undefined ? {} : { firstName }),
      ...(lastName === undefined ? {} : { lastName }),
      locale,
      timeZone,
      consent: optedOut ? 'withdrawn' : 'granted',
      ...(effective === undefined ? {} : { consentAt: effective }),
    },
  };
  return { kind: 'contact', record, optedOut, email, endpointId };
}

export interface EndpointImportDeps {
  customers: CustomerStore;
  suppressions: Pick<SuppressionStore, 'suppress'>;
  clock: Clock;
  catalogue?: ImportCatalogue;
  mapping: EndpointMapping;
}

export interface EndpointBatchOutcome {
  report: ImportReport;
  /** Addresses newly suppressed for an opt-out. */
  suppressed: number;
  /** Contacts kept at `withdrawn` although the endpoint did not opt out. */
  keptWithdrawn: number;
}

/**
 * Imports one batch of read endpoints. Opted-out addresses are suppressed first (an opt-out is
 * honoured even when the contact record is refused), then the contacts go through importCustomers.
 */
export async function importEndpointBatch(reads: readonly EndpointRead[], deps: EndpointImportDeps): Promise<EndpointBatchOutcome> {
  const now = deps.clock.now();
  let suppressed = 0;
  const optOuts = reads.flatMap((read) => ((read.kind === 'contact' && read.optedOut) || read.kind === 'suppress-only' ? [read] : []));
  for (const read of optOuts) {
    if (!z.email().safeParse(read.email).success) continue;
    const suppression: Suppression = { email: read.email, reason: 'unsubscribe', suppressedAt: now.toISOString(), source: `pinpoint-endpoint:${read.endpointId}` };
    if (await deps.suppressions.suppress(suppression)) suppressed++;
  }
  const candidates = reads.flatMap((read) => (read.kind === 'contact' ? [read.record] : []));
  // Never re-subscribe: a contact who withdrew consent keeps it, whatever the export says.
  const ids = candidates.flatMap((record) => {
    const id = (record.value as { contactId?: unknown }).contactId;
    return typeof id === 'string' ? [id] : [];
  });
  const stored = ids.length > 0 ? await deps.customers.getContacts(ids) : new Map<string, Contact>();
  let keptWithdrawn = 0;
  const contacts = candidates.map((record) => {
    const value = record.value as { contactId?: string; consent: string; consentAt?: string };
    const before = value.contactId === undefined ? undefined : stored.get(value.contactId);
    if (before?.consent !== 'withdrawn' || value.consent === 'withdrawn') return record;
    keptWithdrawn++;
    const { consentAt: _ignored, ...rest } = value;
    return { ...record, value: { ...rest, consent: 'withdrawn', ...(before.consentAt === undefined ? {} : { consentAt: before.consentAt }) } };
  });
  const report = await importCustomers({ accounts: [], contacts, fieldLabel: endpointFieldLabel(deps.mapping), ...(deps.catalogue ? { catalogue: deps.catalogue } : {}) }, deps.customers, deps.clock);
  return { report, suppressed, keptWithdrawn };
}
