/** The .ics for a webinar session: RFC 5545 lines, folding by octets, TEXT escaping, reschedule and cancel. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarInvite, calendarInviteContentType, CalendarInviteError, type CalendarInviteInput } from '../../../core/webinars/calendar-invite.ts';

const session: CalendarInviteInput = {
  uid: 'webinar-2026-12-cloud-s1@mail.example.com',
  sequence: 0,
  method: 'PUBLISH',
  title: 'Cloud migration basics',
  startsAt: new Date('2026-12-08T01:00:00Z'),
  endsAt: new Date('2026-12-08T02:00:00Z'),
  location: 'https://zoom.us/j/81234567890',
  organizer: { name: 'Example Events', email: 'events@example.com' },
  now: new Date('2026-11-20T03:04:05.678Z'),
};

const octets = (text: string) => new TextEncoder().encode(text).length;
const physicalLines = (ics: string) => ics.slice(0, -2).split('\r\n');
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/gu, '');

interface Property {
  name: string;
  params: string;
  value: string;
}

/** A small RFC 5545 reader: unfold, then split each content line at the first colon outside a quoted parameter. */
function readContentLines(ics: string): Property[] {
  expect(ics.endsWith('\r\n')).toBe(true);
  return unfold(ics)
    .slice(0, -2)
    .split('\r\n')
    .map((line) => {
      let quoted = false;
      let colon = -1;
      for (let index = 0; index < line.length && colon < 0; index++) {
        if (line[index] === '"') quoted = !quoted;
        else if (line[index] === ':' && !quoted) colon = index;
      }
      const head = line.slice(0, colon);
      const semicolon = head.indexOf(';');
      return {
        name: semicolon < 0 ? head : head.slice(0, semicolon),
        params: semicolon < 0 ? '' : head.slice(semicolon + 1),
        value: line.slice(colon + 1),
      };
    });
}

const unescapeText = (value: string) => value.replace(/\\([\\;,nN])/gu, (_match, char: string) => (char === 'n' || char === 'N' ? '\n' : char));
const valueOf = (ics: string, name: string) => readContentLines(ics).find((property) => property.name === name)?.value;

describe('calendarInvite', () => {
  it('writes one VEVENT in UTC with CRLF line endings', () => {
    expect(calendarInvite(session)).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//nurture-engine//Webinar invites//EN',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'BEGIN:VEVENT',
        'UID:webinar-2026-12-cloud-s1@mail.example.com',
        'DTSTAMP:20261120T030405Z',
        'SEQUENCE:0',
        'DTSTART:20261208T010000Z',
        'DTEND:20261208T020000Z',
        'SUMMARY:Cloud migration basics',
        'LOCATION:https://zoom.us/j/81234567890',
        'ORGANIZER;CN="Example Events":mailto:events@example.com',
        'STATUS:CONFIRMED',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
  });

  it('escapes backslash, semicolon, comma and line breaks in text, and not in a URL', () => {
    const ics = calendarInvite({
      ...session,
      title: 'Q&A; pricing, plans \\ more',
      description: 'Agenda:\r\n1. Intro\n2. Demo\r3. Q&A',
      location: 'Tokyo Midtown, Hall A; 9-7-1 Akasaka',
      url: 'https://example.com/webinars?id=1,2;x',
    });
    const unfolded = unfold(ics);
    expect(unfolded).toContain('\r\nSUMMARY:Q&A\\; pricing\\, plans \\\\ more\r\n');
    expect(unfolded).toContain('\r\nDESCRIPTION:Agenda:\\n1. Intro\\n2. Demo\\n3. Q&A\r\n');
    expect(unfolded).toContain('\r\nLOCATION:Tokyo Midtown\\, Hall A\\; 9-7-1 Akasaka\r\n');
    expect(unfolded).toContain('\r\nURL:https://example.com/webinars?id=1,2;x\r\n');
  });

  it('folds a long Japanese title at 75 octets without splitting a character, and unfolds to the original', () => {
    const title = '【ウェビナー】クラウド移行の始め方：成功事例と失敗しないためのポイント、質疑応答あり（第2回）';
    const ics = calendarInvite({ ...session, title });
    const lines = physicalLines(ics);
    const summary = lines.findIndex((line) => line.startsWith('SUMMARY:'));
    expect(lines[summary + 1]!.startsWith(' ')).toBe(true); // it was long enough to fold
    for (const line of lines) {
      expect(octets(line)).toBeLessThanOrEqual(75);
      // Each physical line is whole UTF-8: decoding its own bytes gives it back, no U+FFFD.
      expect(new TextDecoder().decode(new TextEncoder().encode(line))).toBe(line);
    }
    // Packed: the first line is within one 3-octet character of the limit.
    expect(octets(lines[summary]!)).toBeGreaterThan(72);
    expect(unescapeText(valueOf(ics, 'SUMMARY')!)).toBe(title);
  });

  it('fills each folded line to exactly 75 octets, the leading space included', () => {
    const lines = physicalLines(calendarInvite({ ...session, title: 'a'.repeat(300) }));
    const summary = lines.findIndex((line) => line.startsWith('SUMMARY:'));
    expect(lines.slice(summary, summary + 4).map(octets)).toEqual([75, 75, 75, 75]);
    expect(lines[summary + 1]).toBe(` ${'a'.repeat(74)}`);
  });

  it('keeps every line within 75 octets, breaks only at CRLF + space, and reads back every text exactly (property)', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('会', '議', '😀', 'é', ',', ';', '\\', '\n', '\r\n', ':', '"', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 200, size: 'large' });
    fc.assert(
      fc.property(text, text, text, (title, description, location) => {
        const ics = calendarInvite({ ...session, title, description, location });
        for (const line of physicalLines(ics)) {
          expect(octets(line)).toBeLessThanOrEqual(75);
          expect(line).not.toMatch(/[\r\n]/u);
        }
        // Control characters other than tab are not allowed in TEXT; line breaks become \n.
        const expected = (value: string) => value.replace(/\r\n|\r/gu, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/gu, ''); // eslint-disable-line no-control-regex
        expect(unescapeText(valueOf(ics, 'SUMMARY')!)).toBe(expected(title));
        expect(unescapeText(valueOf(ics, 'DESCRIPTION')!)).toBe(expected(description));
        expect(unescapeText(valueOf(ics, 'LOCATION')!)).toBe(expected(location));
        expect(readContentLines(ics).map((property) => property.name)).toEqual([
          'BEGIN', 'VERSION', 'PRODID', 'CALSCALE', 'METHOD', 'BEGIN', 'UID', 'DTSTAMP', 'SEQUENCE', 'DTSTART', 'DTEND',
          'SUMMARY', 'DESCRIPTION', 'LOCATION', 'ORGANIZER', 'STATUS', 'END', 'END',
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('cancels the same event: same UID, a higher sequence, METHOD:CANCEL and STATUS:CANCELLED', () => {
    const rescheduled = calendarInvite({ ...session, sequence: 1, startsAt: new Date('2026-12-09T01:00:00Z'), endsAt: new Date('2026-12-09T02:00:00Z') });
    const cancelled = calendarInvite({ ...session, sequence: 2, method: 'CANCEL', now: new Date('2026-12-01T00:00:00Z') });
    expect(valueOf(rescheduled, 'UID')).toBe(valueOf(cancelled, 'UID'));
    expect(valueOf(rescheduled, 'SEQUENCE')).toBe('1');
    expect(valueOf(rescheduled, 'DTSTART')).toBe('20261209T010000Z');
    expect(valueOf(cancelled, 'SEQUENCE')).toBe('2');
    expect(valueOf(cancelled, 'METHOD')).toBe('CANCEL');
    expect(valueOf(cancelled, 'STATUS')).toBe('CANCELLED');
    expect(valueOf(cancelled, 'DTSTAMP')).toBe('20261201T000000Z');
    expect(calendarInviteContentType('CANCEL')).toBe('text/calendar; charset=UTF-8; method=CANCEL');
  });

  it('quotes the organizer name so a comma, colon or quote cannot break the property', () => {
    const ics = calendarInvite({ ...session, organizer: { name: 'Sales, "APAC": Tokyo', email: 'events@example.com' } });
    const organizer = readContentLines(ics).find((property) => property.name === 'ORGANIZER');
    expect(organizer).toEqual({ name: 'ORGANIZER', params: 'CN="Sales, APAC: Tokyo"', value: 'mailto:events@example.com' });
  });

  it('refuses values that would make a broken or injected entry', () => {
    expect(() => calendarInvite({ ...session, endsAt: session.startsAt })).toThrow(/must end after it starts/);
    expect(() => calendarInvite({ ...session, sequence: -1 })).toThrow(CalendarInviteError);
    expect(() => calendarInvite({ ...session, sequence: 1.5 })).toThrow(/sequence must be a whole number/);
    expect(() => calendarInvite({ ...session, uid: ' ' })).toThrow(/uid is empty/);
    expect(() => calendarInvite({ ...session, url: 'https://example.com/\r\nSTATUS:CANCELLED' })).toThrow(/url must be an absolute URL/);
    expect(() => calendarInvite({ ...session, url: '/webinars/1' })).toThrow(/url must be an absolute URL/);
    expect(() => calendarInvite({ ...session, organizer: { name: 'x', email: 'a@example.com\r\nATTENDEE:mailto:b@example.com' } })).toThrow(/organizer.email/);
    expect(() => calendarInvite({ ...session, now: new Date('nope') })).toThrow(/now is not a valid date/);
  });
});
