/**
 * What the fault scenario starts from: its config (the shipped one with frequency caps, one webinar
 * session that ended just before the campaign, and a CSQL rule the webinar's attendees can meet),
 * its contacts (Tokyo and New York, some suppressed, some without consent, some mailed two days
 * before), and the webinar's registration report and attendance, all derived from contact numbers
 * so a clean replay can be fed exactly the same facts.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { firstImportItemsOf } from '../../adapters/aws/dynamo/customer-store.ts';
import { batchWrite, DynamoTable } from '../../adapters/aws/dynamo/dynamo-table.ts';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { mapBounded } from '../../core/bounded-parallel.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign, Sequence } from '../../core/config/schema/messages.ts';
import type { Account } from '../../core/customers/account.ts';
import type { Contact } from '../../core/customers/contact.ts';
import type { AttendedStay } from '../../core/webinars/record-attendance.ts';
import { openConfig } from '../support/sending-fixtures.ts';

export const SCENARIO_START = Date.parse('2026-12-02T01:00:00Z');
export const ACCOUNTS = 40;
/** The webinar session: 08:00-09:00 in Tokyo on the campaign's day; its follow-ups are due two hours after it ended. */
export const WEBINAR = { webinarId: 'dashboards-101', sessionId: 'fault-drill-dec-02', startsAt: Date.parse('2026-12-01T23:00:00Z'), minutes: 60 };
/** Accounts (by number) whose contacts are enrolled in the adoption sequence at the start. */
export const ENROLLED_ACCOUNTS = Array.from({ length: 8 }, (_, index) => `fa${30 + index}`);

export interface ScenarioConfig {
  config: EngineConfig;
  campaign: Campaign;
  sequence: Sequence;
}

/** The shipped config with caps of 2 bulk emails per 7 days, the drill's webinar session, and a CSQL rule webinar attendees meet. */
export async function faultScenarioConfig(): Promise<ScenarioConfig> {
  const { config: shipped, campaign } = await openConfig();
  const sequence = shipped.sequences.find((candidate) => candidate.id === 'adoption-nurture');
  const webinar = shipped.webinars.find((candidate) => candidate.id === WEBINAR.webinarId);
  if (!sequence || !webinar) throw new Error('fault scenario: the shipped config lost the adoption-nurture sequence or the dashboards-101 webinar');
  const session = {
    id: WEBINAR.sessionId,
    startsAt: '2026-12-02T08:00',
    timezone: 'Asia/Tokyo',
    duration: `${WEBINAR.minutes}m`,
    joinUrl: 'https://zoom.us/j/81234567899',
    recordingUrl: 'https://www.example.com/ja/webinars/dashboards-101/recording',
  };
  const config: EngineConfig = {
    ...shipped,
    sequences: [sequence],
    webinars: [{ ...webinar, sessions: [session] }],
    guardrails: { ...shipped.guardrails, frequencyCaps: [{ max: 2, per: '7d' }] },
    csqlRules: {
      ...shipped.csqlRules,
      rules: [{ id: 'fault-drill-webinar-engaged', description: 'Several people of the account watched the webinar', tiers: ['tier3'], minWebinarAttendances: 2, minEngagedContacts: 2 }],
    },
  };
  return { config, campaign, sequence };
}

/** New York contacts (every 8th from the 2nd): outside the send window at the start, so their bulk emails are parked. */
const inNewYork = (index: number) => index % 8 === 1;
/** Mailed two days before (every 4th from the 2nd, New York's among them): one more bulk email fills the cap. */
export const mailedBefore = (index: number) => index % 4 === 1;
/** Registered for the webinar: the contacts of the first ten accounts. */
const registered = (index: number) => index % ACCOUNTS < 10;

export function scenarioContacts(count: number): Contact[] {
  return Array.from({ length: count }, (_, index) => ({
    contactId: `fc${String(index).padStart(5, '0')}`,
    accountId: `fa${index % ACCOUNTS}`,
    email: `fc${index}@example.com`,
    firstName: 'A',
    lastName: 'B',
    locale: inNewYork(index) ? 'en' : index % 3 === 0 ? 'ja' : 'en',
    timeZone: inNewYork(index) ? 'America/New_York' : 'Asia/Tokyo',
    consent: index % 41 === 7 ? 'withdrawn' : 'granted',
    topicsOptedOut: [],
  }));
}

/** Writes the accounts and contacts (as a first import does) and the suppressions: every 89th address. */
export async function seedContacts(client: DynamoDBClient, tableName: string, contacts: readonly Contact[]): Promise<void> {
  const accounts: Account[] = Array.from({ length: ACCOUNTS }, (_, index) => ({ accountId: `fa${index}`, name: `Account ${index}`, tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }));
  const items = firstImportItemsOf({ accounts, contacts: [...contacts] }, new Date(SCENARIO_START));
  const writer = new DynamoTable(client, tableName);
  const chunks: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += 250) chunks.push(items.slice(start, start + 250));
  await mapBounded(chunks, 4, (chunk) => batchWrite(writer, chunk.map((Item) => ({ PutRequest: { Item } }))));
  const store = createDynamoStore(client, tableName);
  for (let index = 0; index < contacts.length; index += 89) await store.suppressions.suppress({ email: `fc${index}@example.com`, reason: 'hard-bounce', suppressedAt: new Date(SCENARIO_START).toISOString(), source: 'test' });
}

/** Last week's newsletter, sent two days before the start to the contacts `mailedBefore` picks: it counts against their caps. */
export async function seedEarlierSends(client: DynamoDBClient, tableName: string, contacts: readonly Contact[], campaignId: string): Promise<void> {
  const store = createDynamoStore(client, tableName);
  const sentAt = new Date(SCENARIO_START - 2 * 86_400_000);
  const earlier = contacts.filter((_, index) => mailedBefore(index));
  await mapBounded(earlier, 16, async (contact) => {
    const send = { campaignId, runId: 'earlier-run', contactId: contact.contactId, accountId: contact.accountId };
    await store.sends.claimSend({ ...send, state: 'claimed', claimedAt: sentAt.toISOString() });
    await store.sends.markSent(send, `ses-earlier-${contact.contactId}`, sentAt);
  });
}

export interface WebinarFacts {
  registrations: Array<{ email: string; registeredAt: Date }>;
  /** The attendance report's stays: most watched it all, some left early, a third never came. */
  stays: AttendedStay[];
}

export function webinarFacts(contacts: readonly Contact[]): WebinarFacts {
  const registrations: WebinarFacts['registrations'] = [];
  const stays: AttendedStay[] = [];
  const start = WEBINAR.startsAt;
  contacts.forEach((contact, index) => {
    if (!registered(index)) return;
    registrations.push({ email: contact.email, registeredAt: new Date(start - 86_400_000 - index * 1_000) });
    if (index % 3 === 0) return;
    const minutes = index % 7 === 0 ? 20 : WEBINAR.minutes;
    stays.push({ email: contact.email, joinedAt: new Date(start), leftAt: new Date(start + minutes * 60_000) });
  });
  return { registrations, stays };
}
