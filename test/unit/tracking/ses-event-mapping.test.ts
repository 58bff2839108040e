/**
 * What an SES event means: permanent bounces and complaints suppress, transient and undetermined
 * bounces do not; ids are deterministic (a redelivery lands on the same key); tags decode back to
 * the send; nothing stored from an event carries an email address.
 */
import { describe, expect, it } from 'vitest';
import { parseSesEventBridgeEvent, type SesEvent } from '../../../core/tracking/ses-events/ses-event.ts';
import { engagementDetailOf, occurredAtOf, sesEventId, suppressionsOf, taggedSendOf } from '../../../core/tracking/ses-events/ses-event-mapping.ts';
import { buildSesEvent, senderTagsOf } from '../../../core/tracking/ses-events/ses-event-builder.ts';
import { loadSesFixture, SES_FIXTURE_NAMES, type SesFixtureName } from '../../fixtures/ses/index.ts';

function fixtureEvent(name: SesFixtureName): SesEvent {
  const parsed = parseSesEventBridgeEvent(loadSesFixture(name));
  if (parsed.outcome !== 'parsed') throw new Error(JSON.stringify(parsed));
  return parsed.event;
}

const target = { messageId: 'msg-1', email: 'Taro.Yamada@Example.co.jp', tags: {}, sentAt: new Date('2026-12-02T01:00:00Z') };
const at = new Date('2026-12-02T01:00:05Z');

describe('suppression by bounce type', () => {
  it('a permanent bounce suppresses each bounced address as a hard bounce, from the event time', () => {
    expect(suppressionsOf(fixtureEvent('bounce-permanent'), 'ses:x')).toEqual([
      { email: 'h.suzuki@example.co.jp', reason: 'hard-bounce', suppressedAt: '2026-12-02T01:00:04.870Z', source: 'ses:x' },
    ]);
  });

  it('a transient or undetermined bounce suppresses nothing', () => {
    expect(suppressionsOf(fixtureEvent('bounce-transient'), 'ses:x')).toEqual([]);
    expect(suppressionsOf(buildSesEvent('undetermined-bounce', target, at), 'ses:x')).toEqual([]);
  });

  it('a complaint suppresses the complaining address (lower-cased)', () => {
    expect(suppressionsOf(buildSesEvent('complaint', target, at), 'ses:y')).toEqual([
      { email: 'taro.yamada@example.co.jp', reason: 'complaint', suppressedAt: at.toISOString(), source: 'ses:y' },
    ]);
  });

  it.each(['send', 'delivery', 'reject', 'delivery-delay', 'rendering-failure'] as const)('%s suppresses nothing', (name) => {
    expect(suppressionsOf(fixtureEvent(name), 'ses:z')).toEqual([]);
  });
});

describe('event ids', () => {
  it('are the same for a redelivered event and differ between events', () => {
    const ids = SES_FIXTURE_NAMES.map((name) => sesEventId(fixtureEvent(name)));
    expect(new Set(ids).size).toBe(ids.length);
    expect(sesEventId(fixtureEvent('delivery'))).toBe(sesEventId(fixtureEvent('delivery')));
    const redelivered = loadSesFixture('delivery');
    redelivered.id = 'another-eventbridge-id';
    const parsed = parseSesEventBridgeEvent(redelivered);
    expect(parsed.outcome === 'parsed' && sesEventId(parsed.event)).toBe(sesEventId(fixtureEvent('delivery')));
  });

  it('name the message, type and time, never the address', () => {
    const id = sesEventId(fixtureEvent('bounce-permanent'));
    expect(id).toMatch(/^ses:0106019ad3a1f4c8-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d-000000:bounce:2026-12-02T01:00:04\.870Z:[0-9a-f]{12}$/);
    expect(id).not.toContain('@');
  });

  it('take the time of the event, or of the email when the event has none', () => {
    expect(occurredAtOf(fixtureEvent('delivery'))).toBe('2026-12-02T01:00:03.981Z');
    expect(occurredAtOf(fixtureEvent('send'))).toBe('2026-12-02T01:00:02.512Z');
    expect(occurredAtOf(fixtureEvent('reject'))).toBe('2026-12-02T01:00:03.118Z');
    expect(occurredAtOf(fixtureEvent('delivery-delay'))).toBe('2026-12-01T00:20:08.772Z');
  });
});

describe('event detail', () => {
  it('keeps bounce type, subtype and status, and no address (diagnostic codes quote them)', () => {
    const detail = engagementDetailOf(fixtureEvent('bounce-permanent'));
    expect(detail).toMatchObject({ bounceType: 'Permanent', bounceSubType: 'General', status: '5.1.1', action: 'failed' });
    expect(detail).not.toHaveProperty('diagnosticCode');
    expect(JSON.stringify(detail)).not.toContain('@');
  });

  it('masks an address a mail server quotes in free text', () => {
    const event = buildSesEvent('delivery', target, at);
    if (event.eventType !== 'Delivery') throw new Error('expected a delivery');
    event.delivery.smtpResponse = '250 2.1.5 <taro.yamada@example.co.jp>... Recipient ok';
    expect(engagementDetailOf(event).smtpResponse).toBe('250 2.1.5 <<address>>... Recipient ok');
  });

  it.each(SES_FIXTURE_NAMES)('%s: no address anywhere in the detail', (name) => {
    expect(JSON.stringify(engagementDetailOf(fixtureEvent(name)))).not.toContain('@');
  });
});

describe('the send named by the email tags', () => {
  it('decodes what the sender encoded, sequence step and run included', () => {
    expect(taggedSendOf(fixtureEvent('delivery-delay'))).toEqual({
      tags: 'named',
      send: { campaignId: 'adoption-nurture', runId: 'welcome-2026-11-30T09:00:00.000Z', contactId: 'con-00046', kind: 'sequence', stepId: 'welcome' },
      signed: false,
    });
  });

  it('round-trips any id through the tags the sender sets', () => {
    const send = { campaignId: 'キャンペーン_1', runId: '2026-12-02T01:00:00.000Z', contactId: 'con 7', accountId: 'acc/9' };
    const event = buildSesEvent('delivery', { ...target, tags: senderTagsOf(send, { withAccount: true }) }, at);
    expect(taggedSendOf(event)).toEqual({ tags: 'named', send, signed: false });
  });

  it('says the tags are signed only when our signature over exactly these values verifies', () => {
    const send = { campaignId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-1', accountId: 'acc-1' };
    const signed = senderTagsOf(send, { kind: 'campaign', withAccount: true, signWith: 'secret-0123456789abcdef' });
    const read = (tags: Record<string, string>, secret?: string) => taggedSendOf(buildSesEvent('delivery', { ...target, tags }, at), secret);
    expect(read(signed, 'secret-0123456789abcdef')).toMatchObject({ tags: 'named', signed: true });
    expect(read(signed)).toMatchObject({ tags: 'named', signed: false });
    expect(read(signed, 'another-secret-0123456789')).toMatchObject({ tags: 'named', signed: false });
    // The signature of con-1's email copied onto tags naming con-2: refused.
    expect(read({ ...signed, contact: 'con-2' }, 'secret-0123456789abcdef')).toMatchObject({ tags: 'named', send: { contactId: 'con-2' }, signed: false });
  });

  it('names none for an email without our tags (only the ses:* ones)', () => {
    expect(taggedSendOf(buildSesEvent('delivery', target, at))).toEqual({ tags: 'none' });
    expect(taggedSendOf(buildSesEvent('delivery', { ...target, tags: { campaign: 'c', run: 'r' } }, at))).toEqual({ tags: 'none' });
  });

  it.each([
    ['contact', 'con_2d2', 'an escape of a character the encoder leaves alone'],
    ['contact', 'con-1_', 'a lone underscore'],
    ['contact', 'con_3A1', 'upper-case hex'],
    ['run', '2026_zz', 'an underscore not followed by hex'],
    ['account', 'acc_ff', 'a byte that is not UTF-8'],
    ['kind', 'campaign_c0_af', 'an overlong UTF-8 form'],
    ['step', 'welcome_2D', 'upper-case hex in a label tag'],
  ] as const)('refuses every tag when %s is %s (%s)', (name, value, _why) => {
    const send = { campaignId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-1', accountId: 'acc-1' };
    const tags = { ...senderTagsOf(send, { kind: 'campaign', stepId: 'welcome', withAccount: true }), [name]: value };
    expect(taggedSendOf(buildSesEvent('delivery', { ...target, tags }, at))).toEqual({ tags: 'refused', tag: name });
  });
});
