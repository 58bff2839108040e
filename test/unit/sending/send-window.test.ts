/** Quiet hours, send windows and holidays in the contact's own time zone: deferred, never dropped. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Guardrails } from '../../../core/config/schema/settings.ts';
import { wallClock } from '../../../core/config/local-date-time.ts';
import { evaluateGuardrails, frequencyCaps } from '../../../core/sending/guardrails.ts';
import { earliestSendTime, holidayOn, mayAlreadySend, sendWindowRules } from '../../../core/sending/send-window.ts';
import type { Contact } from '../../../core/customers/contact.ts';

const guardrails: Guardrails = {
  kind: 'guardrails',
  frequencyCaps: [{ max: 2, per: '7d' }],
  quietHours: { start: '20:00', end: '08:00' },
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' },
  holidays: [{ calendar: 'JP', timeZones: ['Asia/Tokyo'], extraDates: ['2026-12-29'] }],
  reputation: { maxBounceRate: 0.04, maxComplaintRate: 0.001, minimumSample: 200 },
};
const rules = sendWindowRules(guardrails);
const contact = (timeZone: string, extra: Partial<Contact> = {}): Contact => ({
  contactId: 'c1', accountId: 'a1', email: 'c1@example.com', firstName: '', lastName: '', locale: 'ja', timeZone, consent: 'granted', topicsOptedOut: [], ...extra,
});

describe('earliestSendTime', () => {
  it('sends now inside the window (Wednesday 10:00 in Tokyo)', () => {
    const now = new Date('2026-12-02T01:00:00Z');
    expect(earliestSendTime(now, 'Asia/Tokyo', rules)).toEqual(now);
  });

  it('defers a New York contact from 20:00 to 09:00 the next business morning, local time', () => {
    const at = earliestSendTime(new Date('2026-12-02T01:00:00Z'), 'America/New_York', rules)!;
    expect(at.toISOString()).toBe('2026-12-02T14:00:00.000Z'); // Wed 09:00 EST
  });

  it('skips a weekend and a Japanese public holiday', () => {
    // Friday 2026-11-20 19:00 JST -> Monday 11-23 is Labour Thanksgiving Day -> Tuesday 09:00 JST.
    expect(holidayOn('2026-11-23', 'Asia/Tokyo', rules)).toBe('Labor Thanksgiving Day');
    expect(earliestSendTime(new Date('2026-11-20T10:00:00Z'), 'Asia/Tokyo', rules)?.toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });

  it('applies the JP calendar and company holidays only to zones that observe them', () => {
    expect(holidayOn('2026-12-29', 'Asia/Tokyo', rules)).toBe('company holiday');
    expect(holidayOn('2026-12-29', 'Europe/London', rules)).toBeUndefined();
    expect(holidayOn('2026-11-23', 'America/New_York', rules)).toBeUndefined();
  });

  it('never returns a time before now, and the time it returns is allowed (property)', () => {
    const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Sydney', 'America/Los_Angeles'];
    fc.assert(
      fc.property(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }), fc.constantFrom(...zones), (now, zone) => {
        const at = earliestSendTime(now, zone, rules);
        expect(at).toBeDefined();
        expect(at!.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(mayAlreadySend(wallClock(at!, zone), zone, rules)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reports no window when the rules never open', () => {
    const never = sendWindowRules({ ...guardrails, sendWindow: { days: ['mon'], start: '21:00', end: '23:00' } });
    expect(earliestSendTime(new Date('2026-12-02T01:00:00Z'), 'Asia/Tokyo', never)).toBeUndefined();
  });
});

describe('evaluateGuardrails', () => {
  const now = new Date('2026-12-02T01:00:00Z');
  const caps = frequencyCaps(guardrails);
  const base = { topic: 'product-news', suppression: undefined, recentSends: [] as Date[], now };

  it('skips with a recorded reason, in order: suppression, consent, topic, frequency cap', () => {
    expect(evaluateGuardrails({ ...base, contact: contact('Asia/Tokyo'), suppression: { email: 'c1@example.com', reason: 'complaint', suppressedAt: now.toISOString(), source: 's' } }, caps, rules)).toEqual({ action: 'skip', reason: 'suppressed', detail: 'complaint' });
    expect(evaluateGuardrails({ ...base, contact: contact('Asia/Tokyo', { consent: 'unknown' }) }, caps, rules)).toMatchObject({ action: 'skip', reason: 'no-consent' });
    expect(evaluateGuardrails({ ...base, contact: contact('Asia/Tokyo', { topicsOptedOut: ['product-news'] }) }, caps, rules)).toMatchObject({ action: 'skip', reason: 'topic-opted-out' });
    const twoThisWeek = [new Date(now.getTime() - 86_400_000), new Date(now.getTime() - 3 * 86_400_000)];
    expect(evaluateGuardrails({ ...base, contact: contact('Asia/Tokyo'), recentSends: twoThisWeek }, caps, rules)).toMatchObject({ action: 'skip', reason: 'frequency-cap' });
  });

  it('counts only sends inside the cap window', () => {
    const old = [new Date(now.getTime() - 8 * 86_400_000), new Date(now.getTime() - 9 * 86_400_000)];
    expect(evaluateGuardrails({ ...base, contact: contact('Asia/Tokyo'), recentSends: old }, caps, rules)).toEqual({ action: 'send' });
  });

  it('defers (does not drop) a contact in quiet hours', () => {
    expect(evaluateGuardrails({ ...base, contact: contact('Europe/London') }, caps, rules)).toEqual({ action: 'defer', notBefore: new Date('2026-12-02T09:00:00Z') });
  });
});
