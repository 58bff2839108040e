/**
 * SES events parse from realistic samples of every type, extra fields SES may add are accepted,
 * addresses parse in the forms SES names them (quoted local parts, display names), types the
 * engine does not ingest are recognised and ignored, and malformed events (a detail-type that
 * disagrees with the event type included) are refused with a reason that names the field and
 * carries no address.
 */
import { describe, expect, it } from 'vitest';
import { bareAddressOf, parseSesEventBridgeEvent, SES_DETAIL_TYPES, type SesEvent } from '../../../core/tracking/ses-events/ses-event.ts';
import { engagementTypeOf, recipientAddressesOf } from '../../../core/tracking/ses-events/ses-event-mapping.ts';
import { buildSesEventBridgeEvent, SIMULATED_SES_EVENTS } from '../../../core/tracking/ses-events/ses-event-builder.ts';
import { loadSesFixture, SES_FIXTURE_NAMES, SES_FIXTURES, SES_OTHER_FIXTURES } from '../../fixtures/ses/index.ts';

function rejected(input: unknown): string {
  const parsed = parseSesEventBridgeEvent(input);
  if (parsed.outcome !== 'rejected') throw new Error(`expected the event to be rejected, got ${parsed.outcome}`);
  return parsed.reason;
}

function parsed(input: unknown): SesEvent {
  const result = parseSesEventBridgeEvent(input);
  if (result.outcome !== 'parsed') throw new Error(`expected the event to parse, got ${JSON.stringify(result)}`);
  return result.event;
}

describe('SES event samples', () => {
  it.each(SES_FIXTURE_NAMES)('%s parses and maps to its engagement type', (name) => {
    const fixture = loadSesFixture(name);
    const event = parsed(fixture);
    expect(engagementTypeOf(event)).toBe(SES_FIXTURES[name].type);
    expect(fixture['detail-type']).toBe(SES_DETAIL_TYPES[event.eventType as keyof typeof SES_DETAIL_TYPES]);
  });

  it('the Subscription sample parses, its display-name destination read as the bare address', () => {
    const event = parsed(loadSesFixture('subscription'));
    expect(engagementTypeOf(event)).toBe('unsubscribe');
    expect(recipientAddressesOf(event)).toEqual([SES_OTHER_FIXTURES.subscription.email]);
  });

  it('accepts fields SES may add later, at every level', () => {
    const fixture = loadSesFixture('bounce-permanent');
    fixture.newEnvelopeField = 1;
    fixture.detail.newDetailField = { nested: true };
    fixture.detail.mail.newMailField = 'x';
    (fixture.detail.bounce as Record<string, unknown>).newBounceField = [1, 2];
    expect(parseSesEventBridgeEvent(fixture).outcome).toBe('parsed');
  });

  it.each(SIMULATED_SES_EVENTS)('the replay builder makes a %s event that parses', (kind) => {
    const event = buildSesEventBridgeEvent(kind, { messageId: 'm-1', email: 'a@example.com', tags: { campaign: 'c' }, sentAt: new Date('2026-12-02T01:00:00Z') }, new Date('2026-12-02T01:00:05Z'));
    expect(parseSesEventBridgeEvent(JSON.parse(JSON.stringify(event)))).toMatchObject({ outcome: 'parsed' });
  });
});

describe('types SES publishes that the engine does not ingest', () => {
  it.each([['open', 'Open'], ['click', 'Click']] as const)('the %s sample is ignored, not rejected', (name, type) => {
    expect(parseSesEventBridgeEvent(loadSesFixture(name))).toEqual({ outcome: 'ignored', type });
  });

  it('a type SES adds later is ignored when its detail-type is not one of the known ones', () => {
    const fixture = loadSesFixture('delivery');
    fixture['detail-type'] = 'Email Archived';
    fixture.detail.eventType = 'Archive';
    expect(parseSesEventBridgeEvent(fixture)).toEqual({ outcome: 'ignored', type: 'Archive' });
  });

  it('an ignored type still has to come from SES', () => {
    const fixture = loadSesFixture('open');
    fixture.source = 'my.app';
    expect(rejected(fixture)).toMatch(/^source: expected 'aws.ses'/);
  });
});

describe('detail-type must agree with the event type', () => {
  it.each([
    ['bounce-permanent', 'Email Delivered'],
    ['delivery', 'Email Bounced'],
    ['complaint', 'Email Opened'],
    ['send', 'Email Sent Later'],
  ] as const)('%s under detail-type %s is rejected', (name, detailType) => {
    const fixture = loadSesFixture(name);
    fixture['detail-type'] = detailType;
    expect(rejected(fixture)).toMatch(/^detail-type: '.*' does not match detail\.eventType '\w+' \(expected 'Email [A-Za-z ]+'\)$/);
  });

  it('an Open under a sending detail-type, and a new type under a known detail-type, are rejected', () => {
    const open = loadSesFixture('open');
    open['detail-type'] = 'Email Bounced';
    expect(rejected(open)).toMatch(/does not match detail\.eventType 'Open'/);
    const later = loadSesFixture('delivery');
    later.detail.eventType = 'Archive';
    expect(rejected(later)).toMatch(/^detail-type: 'Email Delivered' does not match detail\.eventType 'Archive'$/);
  });

  it('both spellings of rendering failure share one detail-type', () => {
    const fixture = loadSesFixture('rendering-failure');
    fixture.detail.eventType = 'RenderingFailure';
    expect(parseSesEventBridgeEvent(fixture).outcome).toBe('parsed');
  });

  it('never quotes an address from the detail-type', () => {
    const fixture = loadSesFixture('delivery');
    fixture['detail-type'] = 'taro@example.com';
    expect(rejected(fixture)).not.toContain('@');
  });
});

describe('recipient addresses', () => {
  it.each([
    ['"john doe"@example.com', '"john doe"@example.com'],
    ['"a@b"@example.jp', '"a@b"@example.jp'],
    ['"quoted \\" quote"@example.com', '"quoted \\" quote"@example.com'],
    ['Taro Yamada <taro@example.jp>', 'taro@example.jp'],
    ['"Yamada, Taro" <taro@example.jp>', 'taro@example.jp'],
    ['=?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@example.jp>', 'taro@example.jp'],
    ['"john doe" <"john doe"@example.com>', '"john doe"@example.com'],
    ['  plain@example.com ', 'plain@example.com'],
  ])('%s is the address %s', (entry, address) => {
    expect(bareAddressOf(entry)).toBe(address);
  });

  it.each(['no-at-sign', 'john doe@example.com', '"unclosed@example.com', 'a@b@c', 'Taro <>', '@example.com', 'user@'])('%s is not an address', (entry) => {
    expect(bareAddressOf(entry)).toBeUndefined();
  });

  it('a bounce of a quoted local part parses (the old check refused it), and so does a display-name recipient', () => {
    const fixture = loadSesFixture('bounce-permanent');
    const bounce = fixture.detail.bounce as { bouncedRecipients: Array<{ emailAddress: string }> };
    bounce.bouncedRecipients = [{ emailAddress: '"john doe"@example.com' }, { emailAddress: 'Hanako Suzuki <Hanako@Example.jp>' }];
    expect(recipientAddressesOf(parsed(fixture))).toEqual(['"john doe"@example.com', 'hanako@example.jp']);
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

  it.each(['<script>alert(1)</script>', 'hanako@example.co.jp', 'x'.repeat(257)])('a message id SES cannot have issued (%s), which would reach a key and the log', (messageId) => {
    const fixture = loadSesFixture('delivery');
    fixture.detail.mail.messageId = messageId;
    expect(rejected(fixture)).toMatch(/^detail\.mail\.messageId: expected an SES message id/);
    expect(rejected(fixture)).not.toContain('@');
  });

  it('a tag value longer than SES allows (256 characters), which would overflow a key the event is placed by', () => {
    const fixture = loadSesFixture('delivery');
    (fixture.detail.mail.tags as Record<string, string[]>).contact = ['c'.repeat(257)];
    expect(rejected(fixture)).toMatch(/^detail\.mail\.tags\.contact\.0: expected an SES tag value/);
  });

  it('never quotes a key of the event that is an address (a tag name) in the reason', () => {
    const fixture = loadSesFixture('delivery');
    (fixture.detail.mail.tags as Record<string, unknown>)['hanako@example.co.jp'] = 'not a list';
    expect(rejected(fixture)).toMatch(/^detail\.mail\.tags\.\[key\]: /);
    expect(rejected(fixture)).not.toContain('@');
  });

  it('no event type, or one that is no type name', () => {
    const fixture = loadSesFixture('delivery');
    delete fixture.detail.eventType;
    expect(rejected(fixture)).toMatch(/detail\.eventType: missing, expected one of the SES event types \(Send, Delivery, Bounce/);
    fixture.detail.eventType = 42;
    expect(rejected(fixture)).toMatch(/detail\.eventType: not a type name/);
  });

  it('a Subscription event without its subscription object', () => {
    const fixture = loadSesFixture('subscription');
    delete fixture.detail.subscription;
    expect(rejected(fixture)).toMatch(/^detail\.subscription: /);
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

describe('a refused event names what is wrong without echoing data', () => {
  it('a malformed tag of another sender is not named: a tag name is that sender\'s data', () => {
    const event = loadSesFixture('delivery');
    (event.detail.mail as { tags: Record<string, unknown> }).tags = { taro_yamada_example_jp: 'not an array' };
    const parsed = parseSesEventBridgeEvent(event);
    expect(parsed).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('detail.mail.tags.[key]: ') });
    expect(JSON.stringify(parsed)).not.toContain('taro_yamada');
  });
});
