/**
 * Webinar report files as marketing teams download them, read into attendance intervals and
 * registrations. Owns recognising the layout (Zoom's webinar attendee report in its current and
 * pre-2025 forms, Zoom's registration report, and a plain CSV from any other platform), turning
 * times written without an offset into instants in the zone the caller names, and naming every row
 * it could not read by the line an editor shows. A bad row is left out whole and reported; the
 * other rows are still returned, duplicates included (deduplication is the importer's job).
 * Pure: text in, rows out; no I/O, no environment, no clock.
 */
import { parse } from 'csv-parse/sync';
import { localToUtc, parseLocalDateTime } from '../config/local-date-time.ts';
import { isIanaTimeZone } from '../config/local-time.ts';
import { emailSchema } from '../config/schema/common.ts';

export type ReportLayout = 'zoom-attendee-2025' | 'zoom-attendee-legacy' | 'zoom-registration' | 'generic';

/** A registration-form answer: the column header is the question. */
export interface RegistrationAnswer {
  question: string;
  answer: string;
}

/** One stay in the session (a rejoin is another row, so another interval). */
export interface AttendanceRow {
  /** 1-based physical line of the file, where the row starts. */
  line: number;
  /** Lower-cased and trimmed. */
  email: string;
  name?: string;
  joinedAt: Date;
  leftAt: Date;
  /** When the attendee registered, if the report says (Zoom attendee reports do). */
  registeredAt?: Date;
  /** Registration answers carried on the row (Zoom attendee reports); empty for generic files. */
  answers: RegistrationAnswer[];
}

/** Someone who registered; from an attendee report, someone who registered and did not attend. */
export interface RegistrationRow {
  line: number;
  email: string;
  /** "First Last" as Zoom writes it (User Name, or first and last name joined). */
  name?: string;
  firstName?: string;
  lastName?: string;
  registeredAt?: Date;
  /** As the platform writes it, lower-cased: approved, pending, denied, ... */
  approvalStatus?: string;
  /** Every column that is not one of the report's own; empty answers left out. */
  answers: RegistrationAnswer[];
}

export interface ReportProblem {
  line: number;
  /** Starts with the line, e.g. "line 14: join time 'Nov 31, 2025 10:00' is not a date". */
  message: string;
}

export interface ParsedReport {
  layout: ReportLayout;
  /** The zone times written without an offset were read in. */
  timeZone: string;
  /** The report's summary block, when it has one. */
  webinar?: { platformId?: string; topic?: string; actualStart?: Date; durationMinutes?: number };
  attendance: AttendanceRow[];
  registrations: RegistrationRow[];
  problems: ReportProblem[];
}

export interface AttendanceReportOptions {
  /** IANA zone the platform wrote local times in (Zoom: the zone of the account that exported). */
  timeZone: string;
  /** Named in the error when the file cannot be read at all. */
  fileName?: string;
}

/** The file as a whole cannot be read: empty, not CSV, or no header this module knows. */
export class AttendanceReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttendanceReportError';
  }
}

/**
 * Reads one report file's text (already decoded; a byte-order mark and any mix of CRLF/LF/CR line
 * ends are fine).
 * @throws AttendanceReportError when no table this module knows is found (the message says what was expected and found).
 * @throws RangeError when `timeZone` is not an IANA zone.
 */
export function parseAttendanceReport(text: string, options: AttendanceReportOptions): ParsedReport {
  const { timeZone } = options;
  if (!isIanaTimeZone(timeZone)) throw new RangeError(`timeZone must be an IANA zone like Asia/Tokyo, got '${timeZone}'`);
  const source = options.fileName ?? 'attendance report';
  const lines = tokenise(text, source);
  if (lines.length === 0) throw new AttendanceReportError(`${source}: the file is empty. ${EXPECTED_HEADERS}`);

  const read = new ReportReader(timeZone);
  const table = read.walk(lines);
  if (!table) throw new AttendanceReportError(`${source}: no recognisable header. ${EXPECTED_HEADERS}. ${describeFound(lines, read.headerAfterMarker)}`);
  return {
    layout: table.kind === 'zoom-attendees' ? read.zoomAttendeeLayout() : table.kind === 'zoom-registrants' ? 'zoom-registration' : 'generic',
    timeZone,
    ...(read.webinar ? { webinar: read.webinar } : {}),
    attendance: read.attendance,
    registrations: read.registrations,
    problems: read.problems,
  };
}

const EXPECTED_HEADERS =
  'Expected a Zoom webinar attendee report (its Attendee Details table starts with a header like ' +
  'Attended,User Name (Original Name),First Name,Last Name,Email,...,Join Time,Leave Time,Time in Session (minutes)), ' +
  'a Zoom registration report (a header with First Name,Last Name,Email,Registration Time,Approval Status), ' +
  'or a CSV whose header has email, join_time and leave_time or minutes (name optional)';

// ---------------------------------------------------------------------------------------------
// CSV to lines

interface CsvLine {
  /** 1-based physical line the record starts on. */
  line: number;
  /** Trailing empty cells dropped: Zoom pads its summary rows to the widest table with commas. */
  cells: string[];
}

interface ParsedRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

function tokenise(text: string, source: string): CsvLine[] {
  // csv-parse picks one record delimiter per file, so a file with mixed line ends would be split
  // (and counted) wrongly; one kind of line end keeps records and line numbers right. Zoom exports
  // have been seen with stray NUL bytes, which would otherwise end up inside names and emails.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(/\0/g, '');
  let records: ParsedRecord[];
  try {
    records = parse(normalised, {
      delimiter: delimiterOf(normalised),
      info: true,
      raw: true,
      trim: true,
      // Summary blocks, section titles and tables each have their own width.
      relax_column_count: true,
      // A display name like Taro "TJ" Yamada is written without quoting the field.
      relax_quotes: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    throw new AttendanceReportError(`${source}: not readable as CSV: ${(error as Error).message}`);
  }
  return records
    .map((record) => ({ line: startLine(record), cells: withoutTrailingEmpty(record.record) }))
    .filter((line) => line.cells.length > 0);
}

/** csv-parse counts the line a record ends on; a quoted cell with line breaks starts earlier. */
function startLine(record: ParsedRecord): number {
  const inside = record.raw.replace(/\n$/, '').match(/\n/g)?.length ?? 0;
  return record.info.lines - inside;
}

/** Comma as Zoom writes; tab or semicolon when a spreadsheet re-saved the file. */
function delimiterOf(text: string): string {
  const head = text.split('\n', 20).join('\n');
  const count = (character: string) => head.split(character).length - 1;
  const [best] = [',', '\t', ';'].map((delimiter) => ({ delimiter, n: count(delimiter) })).sort((a, b) => b.n - a.n);
  return best && best.n > 0 ? best.delimiter : ',';
}

function withoutTrailingEmpty(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end--;
  return cells.slice(0, end);
}

// ---------------------------------------------------------------------------------------------
// Columns

/** Header text reduced so "Join Time", "join_time", "JOIN-TIME" and full-width Ｊｏｉｎ Ｔｉｍｅ all match. */
function columnKey(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}#]+/gu, ' ')
    .trim();
}

type Role = 'attended' | 'name' | 'firstName' | 'lastName' | 'email' | 'joinTime' | 'leaveTime' | 'minutes' | 'registrationTime' | 'approvalStatus';

const ROLE_ALIASES: Record<Role, readonly string[]> = {
  attended: ['attended'],
  // Zoom's webinar reports, Zoom's meeting participant report, then what other platforms call it.
  name: ['user name original name', 'name original name', 'user name', 'name', 'full name', 'display name'],
  firstName: ['first name'],
  lastName: ['last name'],
  email: ['email', 'email address', 'e mail', 'user email'],
  joinTime: ['join time', 'joined at', 'join'],
  leaveTime: ['leave time', 'left at', 'leave'],
  minutes: ['time in session minutes', 'minutes', 'duration minutes'],
  registrationTime: ['registration time', 'registered at'],
  approvalStatus: ['approval status'],
};

/** Columns Zoom adds about the row itself, not questions the registrant answered. */
const REPORT_OWN_COLUMNS = new Set([
  'is guest',
  'guest',
  'country region name',
  'source name',
  'registration source',
  'attendance type',
  'recording disclaimer response',
  'in waiting room',
]);

interface Columns {
  roles: Partial<Record<Role, number>>;
  /** Index and header text of every column that is a registration question. */
  questions: Array<{ index: number; question: string }>;
}

function columnsOf(header: readonly string[]): Columns {
  const roles: Partial<Record<Role, number>> = {};
  const claimed = new Set<number>();
  for (const role of Object.keys(ROLE_ALIASES) as Role[]) {
    for (const alias of ROLE_ALIASES[role]) {
      const index = header.findIndex((cell, i) => !claimed.has(i) && columnKey(cell) === alias);
      if (index >= 0) {
        roles[role] = index;
        claimed.add(index);
        break;
      }
    }
  }
  const questions = header
    .map((question, index) => ({ index, question }))
    .filter(({ index, question }) => !claimed.has(index) && question !== '' && !REPORT_OWN_COLUMNS.has(columnKey(question)));
  return { roles, questions };
}

type TableKind = 'zoom-attendees' | 'zoom-registrants' | 'generic';

function tableKindOf(columns: Columns, header: readonly string[]): TableKind | undefined {
  const { roles } = columns;
  if (roles.email === undefined) return undefined;
  const keys = header.map(columnKey);
  const zoomish = roles.attended !== undefined || keys.includes('user name original name') || keys.includes('time in session minutes');
  if (roles.joinTime !== undefined && zoomish) return 'zoom-attendees';
  if (roles.joinTime === undefined && roles.registrationTime !== undefined) return 'zoom-registrants';
  if (roles.joinTime !== undefined && (roles.leaveTime !== undefined || roles.minutes !== undefined)) return 'generic';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Walking the file

type SectionMarker = 'host details' | 'panelist details' | 'attendee details' | 'registrant details';
const SECTION_MARKERS: readonly string[] = ['host details', 'panelist details', 'attendee details', 'registrant details'];

function sectionMarkerOf(cells: readonly string[]): SectionMarker | undefined {
  const key = cells.length === 1 && cells[0] !== undefined ? columnKey(cells[0]) : '';
  return SECTION_MARKERS.includes(key) ? (key as SectionMarker) : undefined;
}

interface Table {
  kind: TableKind;
  columns: Columns;
}

/** One pass over the file's lines, collecting the rows and what went wrong with them. */
class ReportReader {
  readonly attendance: AttendanceRow[] = [];
  readonly registrations: RegistrationRow[] = [];
  readonly problems: ReportProblem[] = [];
  webinar?: ParsedReport['webinar'];
  /** The line after an Attendee/Registrant Details title, when it was not a header this module knows. */
  headerAfterMarker?: CsvLine;
  /** How the report says when it was generated: Zoom's label changed with its 2025 layout. */
  private generatedLabel?: 'Report Generated:' | 'Report generated time';
  private firstJoinTime?: string;

  constructor(private readonly timeZone: string) {}

  walk(lines: readonly CsvLine[]): Table | undefined {
    let table: Table | undefined;
    let found: Table | undefined;
    // Host and panelist tables have the attendee table's header, but list staff, not the audience.
    let skipping = false;
    let afterMarker = false;
    for (let i = 0; i < lines.length; i++) {
      const current = lines[i] as CsvLine;
      const { cells } = current;
      const marker = sectionMarkerOf(cells);
      if (marker) {
        skipping = marker === 'host details' || marker === 'panelist details';
        table = undefined;
        afterMarker = !skipping;
        continue;
      }
      if (skipping) continue;
      if (table) {
        this.readRow(table, current);
        continue;
      }
      const first = columnKey(cells[0] ?? '');
      if (first === 'topic' && cells.slice(1).some((cell) => ['webinar id', 'meeting id'].includes(columnKey(cell)))) {
        // Its values are on the next line, unless the block is empty and a section starts there.
        const values = lines[i + 1];
        if (values && !sectionMarkerOf(values.cells)) {
          this.readSummary(cells, values);
          i++;
        }
        continue;
      }
      if (first.startsWith('report generated')) {
        this.generatedLabel = /time/i.test(cells[0] ?? '') ? 'Report generated time' : 'Report Generated:';
        continue;
      }
      const columns = columnsOf(cells);
      const kind = tableKindOf(columns, cells);
      if (kind) {
        table = { kind, columns };
        found ??= table;
      } else if (afterMarker) {
        this.headerAfterMarker ??= current;
      }
      afterMarker = false;
    }
    return found;
  }

  /**
   * Zoom's pre-2025 attendee report says "Report Generated:" and writes times as "Nov 18, 2025 10:02:13";
   * the current one says "Report generated time" and writes "11/18/2025 10:02:13 AM". Either way the
   * rows are read the same; this only names what was found. Without the label, the time style decides.
   */
  zoomAttendeeLayout(): 'zoom-attendee-2025' | 'zoom-attendee-legacy' {
    if (this.generatedLabel) return this.generatedLabel === 'Report Generated:' ? 'zoom-attendee-legacy' : 'zoom-attendee-2025';
    return this.firstJoinTime !== undefined && /^[a-z]/i.test(this.firstJoinTime) ? 'zoom-attendee-legacy' : 'zoom-attendee-2025';
  }

  private readSummary(header: readonly string[], values: CsvLine): void {
    const field = (...names: string[]) => {
      const index = header.findIndex((cell) => names.includes(columnKey(cell)));
      return index >= 0 ? presentValue(values.cells[index]) : '';
    };
    const webinar: NonNullable<ParsedReport['webinar']> = {};
    const topic = field('topic');
    if (topic) webinar.topic = topic;
    // Zoom shows IDs grouped ("812 3456 7890"); the API and join links use the digits alone.
    const platformId = field('webinar id', 'meeting id').replace(/\D/g, '');
    if (platformId) webinar.platformId = platformId;
    const issues: string[] = [];
    const start = field('actual start time');
    if (start) {
      const reading = readTime(start, this.timeZone);
      if ('at' in reading) webinar.actualStart = reading.at;
      else issues.push(`actual start time ${reading.error}`);
    }
    // Only the actual duration: a registration report's "Duration" is the scheduled one.
    const duration = field('actual duration minutes');
    if (duration) {
      const minutes = readMinutes(duration);
      if (minutes === undefined) issues.push(`actual duration '${duration}' is not a number of minutes`);
      else webinar.durationMinutes = minutes;
    }
    if (issues.length > 0) this.problem(values.line, issues);
    if (Object.keys(webinar).length > 0) this.webinar = webinar;
  }

  private readRow(table: Table, { line, cells }: CsvLine): void {
    const value = (role: Role) => {
      const index = table.columns.roles[role];
      return index === undefined ? '' : presentValue(cells[index]);
    };
    const issues: string[] = [];
    const email = readEmail(value('email'), issues);
    const time = (role: Role, label: string): Date | undefined => {
      const text = value(role);
      if (!text) return undefined;
      const reading = readTime(text, this.timeZone);
      if ('at' in reading) return reading.at;
      issues.push(`${label} ${reading.error}`);
      return undefined;
    };
    const firstName = value('firstName');
    const lastName = value('lastName');
    const name = value('name') || [firstName, lastName].filter(Boolean).join(' ');
    const registeredAt = time('registrationTime', 'registration time');
    const answers = table.kind === 'generic' ? [] : answersOf(table.columns, cells);
    const person = { line, email, ...(name ? { name } : {}) };

    if (table.kind === 'zoom-registrants' || (table.kind === 'zoom-attendees' && !this.attended(value, issues))) {
      if (issues.length > 0) return this.problem(line, issues);
      const approvalStatus = value('approvalStatus').toLowerCase();
      this.registrations.push({
        ...person,
        ...(firstName ? { firstName } : {}),
        ...(lastName ? { lastName } : {}),
        ...(registeredAt ? { registeredAt } : {}),
        ...(approvalStatus ? { approvalStatus } : {}),
        answers,
      });
      return;
    }

    if (table.kind === 'zoom-attendees') this.firstJoinTime ??= value('joinTime') || undefined;
    const joinedAt = time('joinTime', 'join time');
    if (!value('joinTime')) issues.push('join time is empty');
    const leftAt = this.leftAt(joinedAt, time('leaveTime', 'leave time'), value, issues);
    if (issues.length > 0 || !joinedAt || !leftAt) return this.problem(line, issues);
    this.attendance.push({ ...person, joinedAt, leftAt, ...(registeredAt ? { registeredAt } : {}), answers });
  }

  /** Zoom lists registrants who never joined in the attendee table, with Attended = No and "--" times. */
  private attended(value: (role: Role) => string, issues: string[]): boolean {
    const attended = value('attended');
    if (!attended) return value('joinTime') !== '';
    if (/^(yes|y|true)$/i.test(attended)) return true;
    if (!/^(no|n|false)$/i.test(attended)) issues.push(`Attended '${attended}' is neither Yes nor No`);
    return false;
  }

  /** The leave time when there is one; otherwise join time plus the minutes in session. */
  private leftAt(joinedAt: Date | undefined, leaveTime: Date | undefined, value: (role: Role) => string, issues: string[]): Date | undefined {
    const minutesText = value('minutes');
    if (!value('leaveTime')) {
      if (!minutesText) {
        issues.push('has neither a leave time nor minutes');
        return undefined;
      }
      const minutes = readMinutes(minutesText);
      if (minutes === undefined) {
        issues.push(`minutes '${minutesText}' is not a number of minutes`);
        return undefined;
      }
      return joinedAt && new Date(joinedAt.getTime() + minutes * 60_000);
    }
    if (joinedAt && leaveTime && leaveTime < joinedAt) issues.push(`leave time '${value('leaveTime')}' is before join time '${value('joinTime')}'`);
    return leaveTime;
  }

  private problem(line: number, issues: readonly string[]): void {
    this.problems.push({ line, message: `line ${line}: ${issues.join('; ')}` });
  }
}

/** Zoom writes "--" where a registrant who never joined has no join time, leave time or minutes. */
function presentValue(cell: string | undefined): string {
  const text = (cell ?? '').trim();
  return text === '--' ? '' : text;
}

function answersOf(columns: Columns, cells: readonly string[]): RegistrationAnswer[] {
  return columns.questions
    .map(({ index, question }) => ({ question, answer: presentValue(cells[index]) }))
    .filter(({ answer }) => answer !== '');
}

/** The address itself stays out of the message: problems get shown and logged, addresses are personal data. */
function readEmail(text: string, issues: string[]): string {
  const email = text.toLowerCase();
  if (!email) issues.push('email is empty (Zoom leaves it empty for people who joined without registering or signing in)');
  else if (!emailSchema.safeParse(email).success) issues.push('email is not an email address');
  return email;
}

function readMinutes(text: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Times

type TimeReading = { at: Date } | { error: string };

const TIME_HINT = "expected e.g. 'Nov 18, 2025 10:02:13', '11/18/2025 10:02:13 AM', '2025-11-18 10:02:13' or '2025-11-18T10:02:13+09:00'";

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
};

const CLOCK = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`;
const ISO_LIKE = new RegExp(String.raw`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ]${CLOCK} ?(Z|[+-]\d{2}(?::?\d{2})?)?$`, 'i');
const MONTH_NAME = new RegExp(String.raw`^([a-z]{3,9})\.? (\d{1,2}),? (\d{4}),? ${CLOCK}(?: ?([ap])\.?m\.?)?$`, 'i');
/** Zoom writes month first (11/18/2025); a day-first date is refused rather than guessed. */
const US_NUMERIC = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4}),? ${CLOCK}(?: ?([ap])\.?m\.?)?$`, 'i');

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC when the text carries an offset. */
  offsetMinutes?: number;
}

function readTime(raw: string, timeZone: string): TimeReading {
  const text = raw.replace(/\s+/g, ' ').trim();
  const wall = wallTimeOf(text);
  if (!wall) return { error: `'${raw}' is not a date and time (${TIME_HINT})` };
  const { year, month, day, hour, minute, second, millisecond, offsetMinutes } = wall;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  // Reuses the project's calendar check, so Nov 31 and 25:00 are refused the same way everywhere.
  const local = parseLocalDateTime(`${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}`);
  if (!local || second > 59) {
    const order = US_NUMERIC.test(text) ? ' (read as month/day/year, the order Zoom writes)' : '';
    return { error: `'${raw}' is not a date${order}` };
  }
  const extraMs = second * 1000 + millisecond;
  if (offsetMinutes !== undefined) return { at: new Date(Date.UTC(year, month - 1, day, hour, minute) - offsetMinutes * 60_000 + extraMs) };
  // Clock changes fall on whole minutes, so the seconds can be added after the minute is placed.
  return { at: new Date(localToUtc(local, timeZone).getTime() + extraMs) };
}

function wallTimeOf(text: string): WallTime | undefined {
  let match = ISO_LIKE.exec(text);
  if (match) {
    const [, year, month, day, hour, minute, second, fraction, offset] = match;
    const offsetMinutes = offset === undefined ? undefined : offsetOf(offset);
    if (offset !== undefined && offsetMinutes === undefined) return undefined;
    return clock({ year: Number(year), month: Number(month), day: Number(day), offsetMinutes }, hour, minute, second, fraction, undefined);
  }
  match = MONTH_NAME.exec(text);
  if (match) {
    const [, monthName, day, year, hour, minute, second, fraction, meridiem] = match;
    const month = MONTHS[(monthName ?? '').toLowerCase()];
    if (month === undefined) return undefined;
    return clock({ year: Number(year), month, day: Number(day) }, hour, minute, second, fraction, meridiem);
  }
  match = US_NUMERIC.exec(text);
  if (match) {
    const [, month, day, year, hour, minute, second, fraction, meridiem] = match;
    return clock({ year: Number(year), month: Number(month), day: Number(day) }, hour, minute, second, fraction, meridiem);
  }
  return undefined;
}

function clock(
  date: Pick<WallTime, 'year' | 'month' | 'day' | 'offsetMinutes'>,
  hourText: string | undefined,
  minuteText: string | undefined,
  secondText: string | undefined,
  fraction: string | undefined,
  meridiem: string | undefined,
): WallTime | undefined {
  let hour = Number(hourText);
  if (meridiem) {
    // 12-hour clock: 12:05 AM is just after midnight, 12:05 PM just after noon.
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (/^p/i.test(meridiem) ? 12 : 0);
  }
  const millisecond = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  return { ...date, hour, minute: Number(minuteText), second: secondText ? Number(secondText) : 0, millisecond };
}

function offsetOf(text: string): number | undefined {
  if (/^z$/i.test(text)) return 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (!match) return undefined;
  const [, sign, hours, minutes] = match;
  const total = Number(hours) * 60 + Number(minutes ?? 0);
  if (Number(hours) > 14 || Number(minutes ?? 0) > 59) return undefined;
  return sign === '-' ? -total : total;
}

// ---------------------------------------------------------------------------------------------
// The error when nothing is recognised

/** What the file starts with, addresses masked: the message is shown to people and may be logged. */
function describeFound(lines: readonly CsvLine[], headerAfterMarker: CsvLine | undefined): string {
  if (headerAfterMarker) return `Found after the Attendee Details title, ${quoteLine(headerAfterMarker)}`;
  const withEmail = lines.slice(0, 50).find((line) => columnsOf(line.cells).roles.email !== undefined);
  if (withEmail) {
    const { roles } = columnsOf(withEmail.cells);
    const missing = [
      ...(roles.joinTime === undefined && roles.registrationTime === undefined ? ['join_time (or Registration Time for a registration list)'] : []),
      ...(roles.joinTime !== undefined && roles.leaveTime === undefined && roles.minutes === undefined ? ['leave_time or minutes'] : []),
    ];
    return `Found ${quoteLine(withEmail)}, which has an email column but no ${missing.join(', ')}`;
  }
  return `Found ${quoteLine(lines[0] as CsvLine)}`;
}

function quoteLine({ line, cells }: CsvLine): string {
  const shown = cells.map((cell) => (cell.includes('@') ? '<email>' : cell)).join(',');
  return `line ${line}: '${shown.length > 160 ? `${shown.slice(0, 160)}...` : shown}'`;
}
