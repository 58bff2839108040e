/**
 * Reading history lines: the engine's JSONL format and Pinpoint's email event-stream records, told
 * apart per line. A bad line must name the field a person has to fix; an event's identity must not
 * depend on the line's key order or position, or a re-import would count it twice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLineProblems, parseHistoryLine, type HistoryEntry, type LineParse } from '../../../core/history/history-line.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'history');
const entryOf = (parse: LineParse): HistoryEntry => {
  if (parse.ok !== true) throw new Error(`expected an entry, got ${JSON.stringify(parse)}`);
  return parse.entry;
};
const problemsOf = (line: unknown) => {
  const parse = parseHistoryLine(typeof line === 'string' ? line : JSON.stringify(line));
  if (parse.ok !== false) throw new Error(`expected problems, got ${JSON.stringify(parse)}`);
  return parse.problems;
};

describe('the JSONL format', () => {
  it('reads a click into the engagement event type, in UTC, with its request and email', () => {
    const entry = entryOf(
      parseHistoryLine(
        JSON.stringify({ email: 'Sato@Example.COM', type: 'click', time: '2026-10-01T18:00:00+09:00', campaign: 'nl-1', messageId: 'm1', link: 'https://example.com/a', userAgent: 'UA', ip: '203.0.113.9', sentAt: '2026-10-01T17:00:00+09:00' }),
      ),
    );
    expect(entry).toMatchObject({ format: 'jsonl', contact: { email: 'sato@example.com' }, type: 'click', occurredAt: '2026-10-01T09:00:00.000Z', campaignId: 'nl-1', messageId: 'm1', link: 'https://example.com/a', ip: '203.0.113.9', sentAt: '2026-10-01T08:00:00.000Z' });
  });

  it('maps the documented type names (delivered, usage) to engagement events', () => {
    expect(entryOf(parseHistoryLine('{"contactId":"c1","type":"delivered","time":"2026-10-01T00:00:00Z"}')).type).toBe('delivery');
    expect(entryOf(parseHistoryLine('{"contactId":"c1","type":"usage","time":"2026-10-01T00:00:00Z","figures":{"logins_30d":3}}'))).toMatchObject({ type: 'product-usage', figures: { logins_30d: 3 } });
    expect(entryOf(parseHistoryLine('{"contactId":"c1","type":"webinar-attended","time":"2026-10-01T00:00:00Z","webinar":"w","session":"s","watchMinutes":30,"watchShare":0.5}'))).toMatchObject({ type: 'webinar-attended', webinarId: 'w', sessionId: 's', watchMinutes: 30, watchShare: 0.5 });
  });

  it('names the field of each problem', () => {
    expect(problemsOf({ contactId: 'c1', type: 'open', time: '2026-10-02 10:00' })).toEqual([{ field: 'time', message: 'expected an ISO-8601 time with an offset, e.g. 2026-03-10T14:05:00+09:00, got "2026-10-02 10:00"' }]);
    expect(problemsOf({ contactId: 'c1', type: 'click', time: '2026-10-02T10:00:00Z' })).toEqual([{ field: 'link', message: 'required for a click: the URL that was clicked' }]);
    expect(problemsOf({ contactId: 'c1', type: 'opened', time: '2026-10-02T10:00:00Z' })[0]?.field).toBe('type');
    expect(problemsOf({ contactId: 'c1', type: 'open', time: '2026-10-02T10:00:00Z', campain: 'x' })).toEqual([{ field: 'campain', message: "unknown field 'campain' (see docs/history-import.md)" }]);
    expect(problemsOf({ type: 'open', time: '2026-10-02T10:00:00Z' })).toEqual([{ field: 'contactId', message: 'give exactly one of contactId or email' }]);
    expect(problemsOf({ contactId: 'c1', type: 'webinar-attended', time: '2026-10-02T10:00:00Z', webinar: 'w', watchShare: 1.5 })[0]?.field).toBe('watchShare');
    expect(problemsOf({ contactId: 'c1', type: 'open', time: '2026-10-02T10:00:00Z', figures: { logins_30d: 1 } })).toEqual([{ field: 'figures', message: 'only for type usage, not open' }]);
    expect(problemsOf({ contactId: 'c1', type: 'bounce', time: '2026-10-02T10:00:00Z' })[0]).toEqual({ field: 'bounceType', message: 'required for a bounce: hard (suppresses the address) or soft' });
    expect(formatLineProblems(problemsOf('{"contactId": "c1", "type": '))).toMatch(/^not JSON: /);
    expect(formatLineProblems(problemsOf('[1,2]'))).toBe('expected a JSON object, got [1,2]');
  });

  it('gives the same identity whatever the key order; a source id wins over the content', () => {
    const a = entryOf(parseHistoryLine('{"contactId":"c1","type":"open","time":"2026-10-01T09:00:00+09:00","campaign":"x"}'));
    const b = entryOf(parseHistoryLine('{"campaign":"x","time":"2026-10-01T00:00:00Z","type":"open","contactId":"c1"}'));
    expect(a.identity).toBe(b.identity);
    const withSource = entryOf(parseHistoryLine('{"contactId":"c1","type":"open","time":"2026-10-01T00:00:00Z","sourceId":"evt-9"}'));
    expect(withSource.identity).toBe('source:evt-9');
  });

  it('property: differing events get differing identities (no two events collapse into one)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom('open', 'delivered', 'send'), (first, second, type) => {
        const line = (offset: number) => JSON.stringify({ contactId: 'c1', type, time: new Date(Date.UTC(2026, 9, 1) + offset * 1000).toISOString() });
        const [a, b] = [entryOf(parseHistoryLine(line(first))), entryOf(parseHistoryLine(line(second)))];
        expect(a.identity === b.identity).toBe(first === second);
      }),
    );
  });
});

describe("Pinpoint's email event-stream records", () => {
  const pinpointLines = readFileSync(join(FIXTURES, 'pinpoint-events.jsonl'), 'utf8').split('\n').filter((line) => line !== '');

  it('reads a click as AWS documents it: arrival time, the clicked link, request, message and send time', () => {
    const line = pinpointLines.find((text) => text.includes('"_email.click"')) as string;
    const record = JSON.parse(line) as { arrival_timestamp: number; event_timestamp: number; facets: { email_channel: { mail_event: { click: { link: string; ip_address: string } } } } };
    const entry = entryOf(parseHistoryLine(line));
    expect(entry).toMatchObject({
      format: 'pinpoint',
      type: 'click',
      occurredAt: new Date(record.arrival_timestamp).toISOString(),
      sentAt: new Date(record.event_timestamp).toISOString(),
      link: record.facets.email_channel.mail_event.click.link,
      ip: record.facets.email_channel.mail_event.click.ip_address,
    });
    expect(entry.campaignId).toMatch(/^pinpoint-campaign:pp-campaign-\d$/);
    expect(entry.contact).toEqual({ email: expect.stringMatching(/@history\.example\.com$/) });
  });

  it('maps every email event type, skips other channels, and names a missing facet', () => {
    const parses = pinpointLines.map((line) => parseHistoryLine(line));
    const types = new Set(parses.flatMap((parse) => (parse.ok === true ? [parse.entry.type] : [])));
    expect([...types].sort()).toEqual(['bounce', 'click', 'complaint', 'delivery', 'open', 'send']);
    expect(parses.filter((parse) => parse.ok === 'skip')).toEqual([{ ok: 'skip', reason: 'Pinpoint _SMS.SUCCESS (not an email event)' }]);
    const bad = parses.filter((parse) => parse.ok === false);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ problems: [{ field: 'facets.email_channel.mail_event.mail' }] });
    const soft = parses.find((parse) => parse.ok === true && parse.entry.type === 'bounce');
    expect(soft && soft.ok === true ? soft.entry.bounceType : undefined).toBe('soft');
  });

  it('gives the same record the same identity and another arrival another one', () => {
    const line = pinpointLines.find((text) => text.includes('"_email.open"')) as string;
    expect(entryOf(parseHistoryLine(line)).identity).toBe(entryOf(parseHistoryLine(line)).identity);
    const later = JSON.parse(line) as { arrival_timestamp: number };
    later.arrival_timestamp += 1;
    expect(entryOf(parseHistoryLine(JSON.stringify(later))).identity).not.toBe(entryOf(parseHistoryLine(line)).identity);
  });
});

describe('the fixture file', () => {
  it('has CRLF line ends, and its bad lines are the ones meant to be bad', () => {
    const text = readFileSync(join(FIXTURES, 'history.jsonl'), 'utf8');
    expect(text).toContain('\r\n');
    const lines = text.split('\r\n');
    const refused = lines.flatMap((line, index) => (line === '' ? [] : parseHistoryLine(line).ok === false ? [index + 1] : []));
    expect(refused).toHaveLength(6);
  });
});
