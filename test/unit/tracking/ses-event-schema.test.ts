/**
 * SES events parse from realistic samples of every type, extra fields SES may add are accepted,
 * and malformed events are refused with a reason that names the field and carries no address.
 */
import { describe, expect, it } from 'vitest';
import { parseSesEventBridgeEvent, SES_DETAIL_TYPES } from '../../../core/tracking/ses-events/ses-event.ts';
import { engagementTypeOf } from '../../../core/tracking/ses-events/ses-event-mapping.ts';
import { buildSesEventBridgeEvent, SIMULATED_SES_EVENTS } from '../../../core/tracking/ses-events/ses-event-builder.ts';
import { loadSesFixture, SES_FIXTURE_NAMES, SES_FIXTURES } from '../../fixtures/ses/index.ts';

function rejected(input: unknown): string {
  const parsed = parseSesEventBridgeEvent(input);
  if (parsed.success) throw new Error('expected the event to be rejected');
  return parsed.reason;
}

describe('SES event samples', () => {
  it.each(SES_FIXTURE_NAMES)('%s parses and maps to its engagement type', (name) => {
    const fixture = loadSesFixture(name);
    const parsed = parseSesEventBridgeEvent(fixture);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    expect(engagementTypeOf(parsed.event)).toBe(SES_FIXTURES[name].type);
    expect(fixture['detail-type']).toBe(SES_DETAIL_TYPES[parsed.event.eventType]);
  });

  it('accepts fields SES may add later, at every level', () => {
    const fixture = loadSesFixture('bounce-permanent');
    fixture.newEnvelopeField = 1;
    fixture.detail.newDetailField = { nested: true };
    fixture.detail.mail.newMailField = 'x';
    (fixture.detail.bounce as Record<string, unknown>).newBounceField = [1, 2];
    expect(parseSesEventBridgeEvent(fixture).success).toBe(true);
  });

  it.each(SIMULATED_SES_EVENTS)('the replay builder makes a %s event that parses', (kind) => {
    const event = buildSesEventBridgeEvent(kind, { messageId: 'm-1', email: 'a@example.com', tags: { campaign: 'c' }, sentAt: new Date('2026-12-02T01:00:00Z') }, new Date('2026-12-02T01:00:05Z'));
    expect(parseSesEventBridgeEvent(JSON.parse(JSON.stringify(event)))).toMatchObject({ success: true });
  });
});

describe('malformed SES events are rejected with a reason', () => {
  it.each([
    ['a string', 'not json', /expected an EventBridge event object, got string/],
    ['null', null, /got null/],
    ['an array', [], /got an array/],
    ['a number', 42, /got number/],
  ])('%s is not an event', (_what, input, reason) => {
    expect(rejected(input)).toMatch(reason);
  });

  it('an envelope without detail', () => {
    const fixture = loadSesFixture('delivery');
    delete (fixture as Record<string, unknown>).detail;
    expect(rejected(fixture)).toMatch(/^detail: /);
  });

  it('a missing message id', () => {
    const fixture = loadSesFixture('delivery');
    delete fixture.detail.mail.messageId;
    expect(rejected(fixture)).toMatch(/detail\.mail\.messageId: .*expected string/);
  });

  it('an event type this engine does not ingest (SES open tracking) or none at all', () => {
    const opened = loadSesFixture('delivery');
    opened.detail.eventType = 'Open';
    expect(rejected(opened)).toMatch(/detail\.eventType: 'Open' is not one of the SES event types this engine ingests \(Send, Delivery, Bounce/);
    delete opened.detail.eventType;
    expect(rejected(opened)).toMatch(/detail\.eventType: missing/);
  });

  it('a bounce without bounced recipients, or with none', () => {
    const fixture = loadSesFixture('bounce-permanent');
    const bounce = fixture.detail.bounce as Record<string, unknown>;
    bounce.bouncedRecipients = [];
    expect(rejected(fixture)).toMatch(/detail\.bounce\.bouncedRecipients: Too small/);
    delete bounce.bouncedRecipients;
    expect(rejected(fixture)).toMatch(/detail\.bounce\.bouncedRecipients: .*expected array/);
  });

  it('a bounce type SES does not define, a bad timestamp, a recipient that is not an address', () => {
    const fixture = loadSesFixture('bounce-permanent');
    const bounce = fixture.detail.bounce as { bounceType: string; timestamp: string; bouncedRecipients: Array<{ emailAddress: string }> };
    bounce.bounceType = 'Soft';
    expect(rejected(fixture)).toMatch(/detail\.bounce\.bounceType: /);
    bounce.bounceType = 'Permanent';
    bounce.timestamp = 'yesterday';
    expect(rejected(fixture)).toMatch(/detail\.bounce\.timestamp: /);
    bounce.timestamp = '2026-12-02T01:00:04.870Z';
    bounce.bouncedRecipients[0]!.emailAddress = 'no-at-sign';
    expect(rejected(fixture)).toMatch(/detail\.bounce\.bouncedRecipients\.0\.emailAddress: expected an email address/);
  });

  it('a complaint without complained recipients, a delivery without its delivery object', () => {
    const complaint = loadSesFixture('complaint');
    delete (complaint.detail.complaint as Record<string, unknown>).complainedRecipients;
    expect(rejected(complaint)).toMatch(/detail\.complaint\.complainedRecipients/);
    const delivery = loadSesFixture('delivery');
    delete delivery.detail.delivery;
    expect(rejected(delivery)).toMatch(/detail\.delivery: /);
  });

  it('an event from another source', () => {
    const fixture = loadSesFixture('send');
    fixture.source = 'my.app';
    expect(rejected(fixture)).toMatch(/source: expected 'aws.ses'/);
  });

  it('never quotes an address in the reason', () => {
    const fixture = loadSesFixture('bounce-permanent');
    fixture.detail.eventType = 'someone@example.com';
    (fixture.detail.mail as Record<string, unknown>).destination = 'taro@example.com';
    const reason = rejected(fixture);
    expect(reason).not.toContain('@');
  });
});
