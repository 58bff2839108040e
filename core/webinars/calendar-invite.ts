/**
 * The iCalendar (RFC 5545) text of one webinar session, for the .ics attachment or link on a
 * registration confirmation: one VEVENT in UTC (so no VTIMEZONE is needed), identified by a UID
 * that stays the same for the session, with a SEQUENCE that a reschedule or cancellation bumps so
 * calendar apps update the event they already hold instead of adding a second one. Pure.
 */

/** A value that would produce a broken or misleading calendar entry. */
export class CalendarInviteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarInviteError';
  }
}

export type CalendarMethod = 'PUBLISH' | 'CANCEL';

export interface CalendarInviteInput {
  /** Stable per session and registrant list, e.g. `<sessionId>@<sending domain>`: calendars match updates by it. */
  uid: string;
  /** 0 for the first invite; higher on every reschedule or cancellation of the same UID. */
  sequence: number;
  /** PUBLISH adds or updates the event; CANCEL (with the same UID, a higher sequence) removes it. */
  method: CalendarMethod;
  title: string;
  description?: string;
  startsAt: Date;
  endsAt: Date;
  /** The venue's address, or the join URL of an online session. */
  location?: string;
  url?: string;
  /** iTIP (RFC 5546) expects one; some calendars ignore a CANCEL without it. */
  organizer?: { name: string; email: string };
  /** DTSTAMP: when this version of the invite was made. */
  now: Date;
}

const PRODID = '-//nurture-engine//Webinar invites//EN';
/** RFC 5545 3.1: content lines longer than 75 octets are folded. */
const MAX_LINE_OCTETS = 75;
const CRLF = '\r\n';

export function calendarInvite(input: CalendarInviteInput): string {
  check(input);
  const organizer = input.organizer;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    `METHOD:${input.method}`,
    'BEGIN:VEVENT',
    `UID:${escapeText(input.uid)}`,
    `DTSTAMP:${utcDateTime(input.now)}`,
    `SEQUENCE:${input.sequence}`,
    `DTSTART:${utcDateTime(input.startsAt)}`,
    `DTEND:${utcDateTime(input.endsAt)}`,
    `SUMMARY:${escapeText(input.title)}`,
    ...(input.description === undefined ? [] : [`DESCRIPTION:${escapeText(input.description)}`]),
    ...(input.location === undefined ? [] : [`LOCATION:${escapeText(input.location)}`]),
    ...(input.url === undefined ? [] : [`URL:${input.url}`]),
    ...(organizer === undefined ? [] : [`ORGANIZER;CN=${quotedParam(organizer.name)}:mailto:${organizer.email}`]),
    `STATUS:${input.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** The MIME type of the attachment: RFC 6047 wants its `method` to match the METHOD inside. */
export function calendarInviteContentType(method: CalendarMethod): string {
  return `text/calendar; charset=UTF-8; method=${method}`;
}

function check(input: CalendarInviteInput): void {
  for (const [field, date] of [['startsAt', input.startsAt], ['endsAt', input.endsAt], ['now', input.now]] as const) {
    if (Number.isNaN(date.getTime())) throw new CalendarInviteError(`calendar invite: ${field} is not a valid date`);
  }
  if (input.endsAt.getTime() <= input.startsAt.getTime()) {
    throw new CalendarInviteError(`calendar invite: the session must end after it starts (${input.startsAt.toISOString()} to ${input.endsAt.toISOString()})`);
  }
  if (!Number.isInteger(input.sequence) || input.sequence < 0) {
    throw new CalendarInviteError(`calendar invite: sequence must be a whole number 0 or more, got ${input.sequence}`);
  }
  if (input.uid.trim() === '') throw new CalendarInviteError('calendar invite: uid is empty; calendars match updates by it');
  // URI and address values are written as they are, so a space or line break would end the line
  // early and let the rest pose as another property.
  if (input.url !== undefined && (hasSpaceOrControl(input.url) || !URL.canParse(input.url))) {
    throw new CalendarInviteError(`calendar invite: url must be an absolute URL without spaces, got '${input.url}'`);
  }
  const email = input.organizer?.email;
  if (email !== undefined && (hasSpaceOrControl(email) || !/^[^@]+@[^@]+$/u.test(email))) {
    throw new CalendarInviteError('calendar invite: organizer.email must be one address like events@example.com');
  }
}

function hasSpaceOrControl(text: string): boolean {
  return [...text].some((char) => char.charCodeAt(0) <= 0x20 || char.charCodeAt(0) === 0x7f);
}

/** 2026-12-08T01:00:00.123Z -> 20261208T010000Z (DATE-TIME in UTC, whole seconds). */
function utcDateTime(instant: Date): string {
  return `${instant.toISOString().slice(0, 19).replace(/[-:]/gu, '')}Z`;
}

/**
 * RFC 5545 3.3.11 TEXT: backslash, semicolon and comma are escaped, a line break becomes \n.
 * Other control characters are not allowed in TEXT at all (tab is), so they are dropped.
 */
function escapeText(text: string): string {
  const escaped = text.replace(/\r\n|\r|\n|[\\;,]/gu, (match) => (match === '\\' || match === ';' || match === ',' ? `\\${match}` : '\\n'));
  return [...escaped].filter((char) => char === '\t' || !isControl(char)).join('');
}

/** RFC 5545 3.2 quoted-string: anything but control characters and the double quote. */
function quotedParam(text: string): string {
  const safe = [...text.replace(/\r\n|\r|\n/gu, ' ')].filter((char) => char !== '"' && !isControl(char)).join('');
  return `"${safe}"`;
}

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

/**
 * RFC 5545 3.1: break after at most 75 octets of UTF-8, continuing with CRLF and one space (which
 * counts toward the next line's 75). Breaks fall between code points, never inside a multi-octet
 * character, so a Japanese title stays readable in calendars that show lines before unfolding.
 */
function foldLine(line: string): string {
  const pieces: string[] = [];
  let piece = '';
  let octets = 0;
  let room = MAX_LINE_OCTETS;
  for (const char of line) {
    const size = utf8Octets(char);
    if (octets + size > room) {
      pieces.push(piece);
      piece = '';
      octets = 0;
      room = MAX_LINE_OCTETS - 1;
    }
    piece += char;
    octets += size;
  }
  pieces.push(piece);
  return pieces.join(`${CRLF} `);
}

function utf8Octets(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  // A lone surrogate is encoded as U+FFFD, three octets.
  if (code < 0x10000) return 3;
  return 4;
}
