/**
 * Segment matching: does a contact (with its account and engagement band) belong to a
 * campaign's audience? Every list in the audience narrows it; include/exclude lists of
 * contact ids win over everything else. An attribute filter selects recipients whose value is
 * one of those listed; one without a value for the attribute is not selected.
 */
import type { Audience } from '../config/schema/common.ts';
import type { Scoring } from '../config/schema/scoring.ts';
import type { Account } from '../customers/account.ts';
import type { Contact } from '../customers/contact.ts';

export interface AudienceCandidate {
  contact: Contact;
  account: Account;
  /** Current engagement band id (scoring.bands), from the contact's decayed score. */
  engagementBand: string;
}

export function inAudience(audience: Audience, candidate: AudienceCandidate): boolean {
  const { contact, account } = candidate;
  if (audience.exclude?.includes(contact.contactId)) return false;
  if (audience.include?.includes(contact.contactId)) return true;
  if (audience.tiers && !audience.tiers.includes(account.tier)) return false;
  if (audience.phases && !audience.phases.includes(account.phase)) return false;
  if (audience.plans && !audience.plans.includes(account.plan)) return false;
  if (audience.productsOwned && !audience.productsOwned.every((product) => account.products.includes(product))) return false;
  if (audience.productsNotOwned && audience.productsNotOwned.some((product) => account.products.includes(product))) return false;
  if (audience.locales && !audience.locales.includes(contact.locale)) return false;
  if (audience.engagementBands && !audience.engagementBands.includes(candidate.engagementBand)) return false;
  if (audience.attributes && !attributesMatch(audience.attributes, contact.attributes)) return false;
  if (audience.accountAttributes && !attributesMatch(audience.accountAttributes, account.attributes)) return false;
  return true;
}

function attributesMatch(filter: NonNullable<Audience['attributes']>, values: Contact['attributes']): boolean {
  return Object.entries(filter).every(([id, wanted]) => {
    const value = values?.[id];
    return value !== undefined && wanted.includes(value);
  });
}

/** The band whose minScore is the highest one at or below the score (bands are validated ascending from 0). */
export function engagementBandOf(score: number, bands: Scoring['bands']): string {
  let band = bands[0]?.id ?? 'unscored';
  for (const candidate of bands) if (score >= candidate.minScore) band = candidate.id;
  return band;
}
