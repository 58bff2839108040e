/**
 * Use case: resolve a segment to its contacts, page by page, with each contact's account and
 * engagement band. Used by the dispatcher and by `npm run audience` (preview without sending).
 */
import { TIERS } from '../config/schema/common.ts';
import type { Audience } from '../config/schema/common.ts';
import type { Scoring } from '../config/schema/scoring.ts';
import { parseDuration } from '../config/duration.ts';
import type { Account } from '../customers/account.ts';
import type { Contact } from '../customers/contact.ts';
import type { CustomerStore, ScoreStore } from '../ports.ts';
import { scoreAt } from '../scoring/decayed-score.ts';
import { engagementBandOf, inAudience, type AudienceCandidate } from './segment.ts';

export interface AudienceDeps {
  customers: CustomerStore;
  scores: ScoreStore;
  scoring: Scoring;
}

/** Every account, once per resolution (accounts are far fewer than contacts). */
export async function loadAccounts(customers: CustomerStore): Promise<Map<string, Account>> {
  const accounts = new Map<string, Account>();
  for (const tier of TIERS) for (const account of await customers.listAccountsByTier(tier)) accounts.set(account.accountId, account);
  return accounts;
}

/** Yields the audience's members page by page. */
export async function* resolveAudience(audience: Audience, now: Date, deps: AudienceDeps): AsyncIterable<AudienceCandidate[]> {
  const accounts = await loadAccounts(deps.customers);
  for await (const page of deps.customers.listContacts()) yield audienceMembersOf(page, accounts, audience, now, deps);
}

/** The members of one page of contacts: those whose account is known and who match the segment. */
export async function audienceMembersOf(
  page: readonly Contact[],
  accounts: ReadonlyMap<string, Account>,
  audience: Audience,
  now: Date,
  deps: Pick<AudienceDeps, 'scores' | 'scoring'>,
): Promise<AudienceCandidate[]> {
  const halfLifeMs = parseDuration(deps.scoring.halfLife) ?? 1;
  const needsBands = audience.engagementBands !== undefined;
  const scores = needsBands ? await deps.scores.getScores('contact', page.map((contact) => contact.contactId)) : new Map();
  const members: AudienceCandidate[] = [];
  for (const contact of page) {
    const account = accounts.get(contact.accountId);
    if (!account) continue;
    const stored = scores.get(contact.contactId);
    const engagementBand = engagementBandOf(stored ? scoreAt(stored.scaledSum, now, halfLifeMs, stored.epoch) : 0, deps.scoring.bands);
    const candidate = { contact, account, engagementBand };
    if (inAudience(audience, candidate)) members.push(candidate);
  }
  return members;
}
