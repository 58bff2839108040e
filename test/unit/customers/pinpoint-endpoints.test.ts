/**
 * A Pinpoint endpoint export read into contact records: email endpoints only, opt-outs kept as
 * withdrawn consent, stale INACTIVE duplicates skipped (their opt-out still honoured), the account
 * from the configured attribute, locale and zone from the endpoint's demographics.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEndpoint, type EndpointMapping, type EndpointRead } from '../../../core/customers/pinpoint-endpoints.ts';

const mapping: EndpointMapping = { accountAttribute: 'AccountId', defaultLocale: 'en', defaultTimeZone: 'UTC' };
const lines = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'history', 'pinpoint-endpoints.json'), 'utf8').split('\n').filter((line) => line !== '');
const reads: EndpointRead[] = lines.map((line, index) => readEndpoint(JSON.parse(line), { source: 'export.json', line: index + 1 }, mapping));
const valueOf = (read: EndpointRead | undefined) => (read?.kind === 'contact' ? read.record.value : undefined);

describe('Pinpoint endpoint export', () => {
  it('maps an active email endpoint: user id, account attribute, names, locale ja_JP -> ja, zone', () => {
    expect(valueOf(reads[0])).toEqual({
      contactId: 'pp-user-1',
      accountId: 'hist-acc-1',
      email: 'pp-one@pinpoint.example.com',
      firstName: 'Aoi',
      lastName: 'Mori',
      locale: 'ja',
      timeZone: 'Asia/Tokyo',
      consent: 'granted',
      consentAt: '2026-06-01T00:00:00.000Z',
    });
  });

  it('keeps an opt-out: consent withdrawn, and the read says to suppress', () => {
    expect(reads[1]).toMatchObject({ kind: 'contact', optedOut: true, email: 'pp-two@pinpoint.example.com' });
    expect(valueOf(reads[1])).toMatchObject({ consent: 'withdrawn', locale: 'en', timeZone: 'America/New_York' });
  });

  it('skips other channels and INACTIVE duplicates, but an INACTIVE opt-out still suppresses', () => {
    expect(reads[2]).toEqual({ kind: 'skipped', reason: 'ChannelType SMS' });
    expect(reads[3]).toEqual({ kind: 'skipped', reason: 'EndpointStatus INACTIVE (another endpoint has the address)' });
    expect(reads[6]).toEqual({ kind: 'suppress-only', email: 'pp-gone@pinpoint.example.com', endpointId: 'ep-7' });
  });

  it('falls back: endpoint attribute for the account, default locale, the one zone of the country', () => {
    expect(valueOf(reads[4])).toMatchObject({ accountId: 'hist-acc-3', locale: 'en', timeZone: 'Europe/Berlin' });
  });

  it('rejects an endpoint without the account attribute, naming it and the option', () => {
    expect(reads[5]).toEqual({
      kind: 'rejected',
      rejected: { location: { source: 'export.json', line: 6 }, reason: 'User.UserAttributes.AccountId: required: the account id (no such user or endpoint attribute; name another with --account-attribute)' },
    });
    const other = readEndpoint(JSON.parse(lines[5] as string), { source: 'export.json', line: 6 }, { ...mapping, accountAttribute: 'Company' });
    expect(other.kind === 'rejected' ? other.rejected.reason : '').toMatch(/^User\.UserAttributes\.Company: required/);
  });

  it('reports a record that is not an endpoint', () => {
    const read = readEndpoint({ Address: 'x@example.com' }, { source: 'export.json', line: 9 }, mapping);
    expect(read).toMatchObject({ kind: 'rejected', rejected: { location: { line: 9 }, reason: expect.stringContaining('ChannelType') } });
  });
});
