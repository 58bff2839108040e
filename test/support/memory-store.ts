/**
 * An in-memory Store for use-case unit tests (no I/O): same contract as the DynamoDB adapters
 * for what the sending use cases touch, including the conditional-write semantics
 * (create-once runs, claims, suppressions). Storage behaviour itself is tested against
 * DynamoDB Local in test/integration.
 */
import type { CampaignRun } from '../../core/campaigns/campaign-run.ts';
import type { Account } from '../../core/customers/account.ts';
import type { Contact } from '../../core/customers/contact.ts';
import type { Store, UpsertOutcome } from '../../core/ports.ts';
import type { Send } from '../../core/sending/send.ts';
import type { SendingPause } from '../../core/sending/sending-pause.ts';
import { messageIdOf, type DeferredSend, type SkippedSend } from '../../core/sending/send-request.ts';
import type { MessageLinks, StoredMessageLinks } from '../../core/tracking/message-links.ts';
import type { Suppression } from '../../core/tracking/suppression.ts';
import { newestPerMetric, type LatestUsage, type UsageRecord } from '../../core/scoring/usage.ts';
import type { UsageStore } from '../../core/ports.ts';
import { CONTACT_LIST_PARTITIONS, DUE_INDEX_SHARDS } from '../../adapters/aws/dynamo/table-design.ts';
import { memoryContactListing, memoryDispatchProgress } from './memory-dispatch.ts';

/** Product usage in memory: records once per account, instant and record id; each latest metric only moves forward in time. */
export function memoryUsageStore(): UsageStore {
  const records = new Map<string, UsageRecord>();
  const latest = new Map<string, LatestUsage>();
  return {
    recordUsage: async (batch) => {
      let stored = 0;
      for (const record of batch) {
        const key = `${record.accountId}|${record.at}|${record.recordId}`;
        if (records.has(key)) continue;
        records.set(key, structuredClone(record));
        stored++;
      }
      for (const record of batch) {
        const ofAccount = latest.get(record.accountId) ?? { accountId: record.accountId, metrics: {} };
        for (const [metric, entry] of newestPerMetric([record])) {
          const current = ofAccount.metrics[metric];
          if (!current || current.at < entry.at) ofAccount.metrics[metric] = entry;
        }
        latest.set(record.accountId, ofAccount);
      }
      return { stored, duplicates: batch.length - stored };
    },
    latestUsage: async (accountId) => structuredClone(latest.get(accountId)),
    listUsageRecords: async (accountId) => [...records.values()].filter((record) => record.accountId === accountId).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)),
    usageAsOf: async (accountId, instant) => {
      const upTo = [...records.values()].filter((record) => record.accountId === accountId && Date.parse(record.at) <= instant.getTime());
      return Object.fromEntries([...newestPerMetric(upTo)].map(([metric, entry]) => [metric, entry.value]));
    },
  };
}

const notUsed = (what: string) => () => {
  throw new Error(`memory store: ${what} is not implemented for unit tests`);
};

export function createMemoryStore(): Store & { sent: Send[]; skips: SkippedSend[] } {
  const accounts = new Map<string, Account>();
  const contacts = new Map<string, Contact>();
  const runs = new Map<string, CampaignRun>();
  const sends = new Map<string, Send>();
  const skips = new Map<string, SkippedSend>();
  const deferred = new Map<string, DeferredSend>();
  const suppressions = new Map<string, Suppression>();
  const linkSets = new Map<string, StoredMessageLinks>();
  const pauses = new Map<string, SendingPause>();
  const dueDeferred = (now: Date, limit: number) =>
    [...deferred.values()].filter((entry) => entry.notBefore <= now.toISOString()).sort((a, b) => a.notBefore.localeCompare(b.notBefore)).slice(0, limit);
  const sendKey = (s: { campaignId: string; runId: string; contactId: string }) => `${s.campaignId}|${s.runId}|${s.contactId}`;
  const upsert = <T>(map: Map<string, T>, id: string, value: T): UpsertOutcome => {
    const before = map.get(id);
    map.set(id, structuredClone(value));
    return !before ? 'created' : JSON.stringify(before) === JSON.stringify(value) ? 'unchanged' : 'updated';
  };
  const store = {
    get sent() {
      return [...sends.values()].filter((send) => send.state === 'sent');
    },
    get skips() {
      return [...skips.values()];
    },
    customers: {
      upsertAccount: async (account: Account) => upsert(accounts, account.accountId, account),
      revenueHistoryOf: async () => [],
      // Simplified ownership: the memory store keeps the engine's opt-outs and adds the CRM's.
      upsertContact: async (contact: Contact) => {
        const owner = [...contacts.values()].find((other) => other.email === contact.email && other.contactId !== contact.contactId);
        if (owner) return { outcome: 'email-taken' as const, ownerContactId: owner.contactId };
        const stored = contacts.get(contact.contactId);
        const topicsOptedOut = [...new Set([...(stored?.topicsOptedOut ?? []), ...contact.topicsOptedOut])];
        return upsert(contacts, contact.contactId, { ...contact, topicsOptedOut });
      },
      findContactByEmail: async (email: string) => [...contacts.values()].find((contact) => contact.email === email.toLowerCase()),
      contactIdsByEmail: async (emails: readonly string[]) =>
        new Map([...contacts.values()].filter((contact) => emails.some((email) => email.toLowerCase() === contact.email)).map((contact) => [contact.email, contact.contactId] as const)),
      addTopicOptOuts: async (id: string, topics: readonly string[]) => {
        const contact = contacts.get(id);
        if (contact) contact.topicsOptedOut = [...new Set([...contact.topicsOptedOut, ...topics])];
      },
      setTopicOptOuts: async (id: string, topics: readonly string[]) => {
        const contact = contacts.get(id);
        if (contact) contact.topicsOptedOut = [...new Set(topics)];
      },
      getAccount: async (id: string) => accounts.get(id),
      getContact: async (id: string) => contacts.get(id),
      getContacts: async (ids: readonly string[]) => new Map(ids.flatMap((id) => (contacts.has(id) ? [[id, contacts.get(id)!] as const] : []))),
      getAccounts: async (ids: readonly string[]) => new Map(ids.flatMap((id) => (accounts.has(id) ? [[id, accounts.get(id)!] as const] : []))),
      existingAccountIds: async (ids: readonly string[]) => new Set(ids.filter((id) => accounts.has(id))),
      listAccountsByTier: async (tier: string) => [...accounts.values()].filter((account) => account.tier === tier),
      listContactsOfAccount: async (id: string) => [...contacts.values()].filter((contact) => contact.accountId === id),
      async *listContacts() {
        yield [...contacts.values()];
      },
    },
    campaignRuns: {
      createRun: async (run: CampaignRun) => {
        const key = `${run.campaignId}|${run.runId}`;
        if (runs.has(key)) return false;
        runs.set(key, structuredClone(run));
        return true;
      },
      getRun: async (campaignId: string, runId: string) => runs.get(`${campaignId}|${runId}`),
      listRuns: async (campaignId: string) => [...runs.values()].filter((run) => run.campaignId === campaignId),
      setRunState: async (campaignId: string, runId: string, state: CampaignRun['state'], counts?: Record<string, number>) => {
        const run = runs.get(`${campaignId}|${runId}`);
        if (!run) throw new Error('no such run');
        run.state = state;
        if (counts) run.counts = counts;
      },
    },
    sends: {
      claimSend: async (send: Send) => {
        if (sends.has(sendKey(send))) return false;
        sends.set(sendKey(send), structuredClone(send));
        return true;
      },
      claimSendOrGetHolder: async (send: Send) => {
        const holder = sends.get(sendKey(send));
        if (holder) return { claimed: false, holder: structuredClone(holder) };
        sends.set(sendKey(send), structuredClone(send));
        return { claimed: true };
      },
      markSent: async (ref: Send, messageId: string, sentAt: Date) => {
        const send = sends.get(sendKey(ref));
        if (!send) throw new Error('markSent without a claim');
        Object.assign(send, { state: 'sent', messageId, sentAt: sentAt.toISOString() });
      },
      markFailed: async (ref: Send, reason: string) => {
        const send = sends.get(sendKey(ref));
        if (!send) throw new Error('markFailed without a claim');
        Object.assign(send, { state: 'failed', reason });
      },
      releaseClaim: async (ref: Send, claimToken: string) => {
        const send = sends.get(sendKey(ref));
        if (send?.state === 'claimed' && send.claimToken === claimToken) sends.delete(sendKey(ref));
      },
      getSend: async (campaignId: string, runId: string, contactId: string) => sends.get(sendKey({ campaignId, runId, contactId })),
      findSendByMessageId: async (messageId: string) => [...sends.values()].find((send) => send.messageId === messageId),
      listSendsOfRun: async (campaignId: string, runId: string) => [...sends.values()].filter((send) => send.campaignId === campaignId && send.runId === runId),
      countSendsToContactSince: async (contactId: string, since: Date) =>
        [...sends.values()].filter((send) => send.contactId === contactId && send.sentAt && send.sentAt >= since.toISOString()).length,
      sendTimesOfContactSince: async (contactId: string, since: Date) =>
        [...sends.values()].filter((send) => send.contactId === contactId && send.sentAt && send.sentAt >= since.toISOString()).map((send) => new Date(send.sentAt!)),
      recordSkips: async (list: readonly SkippedSend[]) => {
        for (const skip of list) skips.set(sendKey(skip), structuredClone(skip));
      },
      listSkipsOfRun: async (campaignId: string, runId: string) => [...skips.values()].filter((skip) => skip.campaignId === campaignId && skip.runId === runId),
      deferSends: async (list: readonly DeferredSend[]) => {
        for (const entry of list) deferred.set(sendKey({ ...entry.request, campaignId: messageIdOf(entry.request.source) }), structuredClone(entry));
      },
      listDueDeferredSends: async (now: Date, limit: number) => dueDeferred(now, limit),
      // One shard: the due index in memory is not sharded.
      deferredShards: 1,
      dueDeferredSendsOfShard: async (_shard: number, now: Date, limit: number) => dueDeferred(now, limit),
      removeDeferredSends: async (list: readonly DeferredSend[]) => {
        for (const entry of list) deferred.delete(sendKey({ ...entry.request, campaignId: messageIdOf(entry.request.source) }));
      },
      saveMessageLinks: async (links: MessageLinks) => {
        const key = `${links.messageId}|${links.runId}|${links.linkSet}`;
        if (linkSets.has(key)) return false;
        linkSets.set(key, { ...structuredClone(links), clicks: { human: links.links.map(() => 0), machine: links.links.map(() => 0) } });
        return true;
      },
      getMessageLinks: async (messageId: string, runId: string, linkSet: string) => structuredClone(linkSets.get(`${messageId}|${runId}|${linkSet}`)),
      listMessageLinksOfRun: async (messageId: string, runId: string) => [...linkSets.entries()].filter(([key]) => key.startsWith(`${messageId}|${runId}|`)).map(([, links]) => structuredClone(links)),
    },
    suppressions: {
      suppress: async (suppression: Suppression) => {
        const email = suppression.email.toLowerCase();
        if (suppressions.has(email)) return false;
        suppressions.set(email, { ...suppression, email });
        return true;
      },
      suppressedAmong: async (emails: readonly string[]) =>
        new Map(emails.flatMap((email) => (suppressions.has(email.toLowerCase()) ? [[email.toLowerCase(), suppressions.get(email.toLowerCase())!] as const] : []))),
    },
    scores: { addToScore: notUsed('scores.addToScore'), getScore: async () => undefined, getScores: async () => new Map() },
    kpis: { runCountersOf: async () => [], runCounters: async () => undefined },
    engagement: { recordEvent: notUsed('engagement.recordEvent'), listEventsOfContact: async () => [], listClicksOfCampaign: async () => [] },
    webinars: {
      ensureSession: notUsed('webinars.ensureSession'),
      getSession: notUsed('webinars.getSession'),
      updateSession: notUsed('webinars.updateSession'),
      recordSessionRun: notUsed('webinars.recordSessionRun'),
      markFollowUpsPlanned: notUsed('webinars.markFollowUpsPlanned'),
      register: notUsed('webinars.register'),
      getRegistrant: notUsed('webinars.getRegistrant'),
      listRegistrants: notUsed('webinars.listRegistrants'),
      listRegistrationsOfContact: async () => [],
      listUnmatchedRegistrants: notUsed('webinars.listUnmatchedRegistrants'),
      matchRegistrant: notUsed('webinars.matchRegistrant'),
      addAnswers: notUsed('webinars.addAnswers'),
      saveRegistrants: notUsed('webinars.saveRegistrants'),
      recordAttendance: notUsed('webinars.recordAttendance'),
      listAttendance: notUsed('webinars.listAttendance'),
    },
    enrollments: {
      enroll: notUsed('enrollments.enroll'),
      getEnrollment: notUsed('enrollments.getEnrollment'),
      enrolledAmong: notUsed('enrollments.enrolledAmong'),
      updateEnrollment: notUsed('enrollments.updateEnrollment'),
      dueEnrollmentPage: notUsed('enrollments.dueEnrollmentPage'),
      dueShards: DUE_INDEX_SHARDS,
    },
    pauses: {
      pause: async (pause: SendingPause) => void pauses.set(pause.scope, structuredClone(pause)),
      pauseOnce: async (pause: SendingPause) => !pauses.has(pause.scope) && Boolean(pauses.set(pause.scope, structuredClone(pause))),
      resume: async (scope: string) => pauses.delete(scope),
      listPauses: async () => [...pauses.values()],
    },
    csql: { recordPromotion: notUsed('csql.recordPromotion'), listPromotionsOfAccount: async () => [], listPromotionsSince: notUsed('csql.listPromotionsSince') },
    usage: memoryUsageStore(),
    contactListing: memoryContactListing(() => contacts.values(), CONTACT_LIST_PARTITIONS),
    dispatchProgress: memoryDispatchProgress(),
  };
  return store as unknown as Store & { sent: Send[]; skips: SkippedSend[] };
}
