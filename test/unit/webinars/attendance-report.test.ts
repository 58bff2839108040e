/**
 * Webinar report files (Zoom attendee reports old and new, Zoom registration reports, plain CSV)
 * read into attendance intervals and registrations: layout detected, local times placed in the
 * named zone, bad rows named by the line an editor shows, the rest still returned.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AttendanceReportError, parseAttendanceReport } from '../../../core/webinars/attendance-report.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/webinars/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => new Date(iso);
const tokyo = { timeZone: 'Asia/Tokyo' };
const newYork = { timeZone: 'America/New_York' };

describe('Zoom attendee report, layout used until early 2025', () => {
  const text = fixture('zoom-attendee-report-legacy.csv');

  it('is the file the tests mean: a byte-order mark and CRLF line ends, as Excel-friendly exports are', () => {
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toContain('\r\n');
  });

  it('reads the summary block and only the Attendee Details table (not host or panelists), in the zone given', () => {
    const report = parseAttendanceReport(text, tokyo);
    expect(report.layout).toBe('zoom-attendee-legacy');
    expect(report.timeZone).toBe('Asia/Tokyo');
    expect(report.webinar).toEqual({
      topic: '請求書の自動化, はじめの一歩',
      platformId: '81234567890',
      actualStart: utc('2024-11-19T04:58:00Z'),
      durationMinutes: 64,
    });
    expect(report.attendance.map((row) => row.email)).toEqual(['taro.yamada@example.co.jp', 'taro.yamada@example.co.jp', 'hanako.suzuki@example.com']);
  });

  it('gives a rejoin as a second interval, with lower-cased email and the line each row is on', () => {
    const [first, rejoin] = parseAttendanceReport(text, tokyo).attendance;
    expect(first).toEqual({
      line: 13,
      email: 'taro.yamada@example.co.jp',
      name: '山田 太郎',
      joinedAt: utc('2024-11-19T05:02:13Z'),
      leftAt: utc('2024-11-19T05:40:00Z'),
      registeredAt: utc('2024-11-12T01:03:45Z'),
      answers: [
        { question: 'Phone', answer: '03-1234-5678' },
        { question: 'Job Title', answer: '経理部長' },
        { question: 'What would you like to learn?', answer: '請求書の受領から支払まで, 全部' },
      ],
    });
    expect(rejoin).toMatchObject({ line: 14, joinedAt: utc('2024-11-19T05:45:30Z'), leftAt: utc('2024-11-19T06:01:58Z') });
  });

  it('keeps a quoted name with a comma in one cell', () => {
    expect(parseAttendanceReport(text, tokyo).attendance[2]).toMatchObject({ line: 15, name: 'Suzuki, Hanako (鈴木 花子)', answers: [] });
  });

  it('reports Attended = No rows as registrants who did not attend, with their answers', () => {
    const report = parseAttendanceReport(text, tokyo);
    expect(report.registrations).toEqual([
      {
        line: 16,
        email: 'ichiro.takahashi@example.jp',
        name: '高橋 一郎',
        firstName: '一郎',
        lastName: '高橋',
        registeredAt: utc('2024-11-14T10:20:11Z'),
        approvalStatus: 'approved',
        answers: [
          { question: 'Job Title', answer: '情報システム' },
          { question: 'What would you like to learn?', answer: '電子帳簿保存法への対応' },
        ],
      },
    ]);
    expect(report.attendance.map((row) => row.email)).not.toContain('ichiro.takahashi@example.jp');
  });

  it('names bad rows by line and leaves them out, the rest still read', () => {
    expect(parseAttendanceReport(text, tokyo).problems).toEqual([
      { line: 17, message: "line 17: join time 'Nov 31, 2024 14:05:00' is not a date" },
      { line: 18, message: 'line 18: email is empty (Zoom leaves it empty for people who joined without registering or signing in)' },
    ]);
  });

  it('places the same wall-clock times differently in another zone, and says which zone it used', () => {
    const report = parseAttendanceReport(text, newYork);
    expect(report.timeZone).toBe('America/New_York');
    expect(report.attendance[0]).toMatchObject({ joinedAt: utc('2024-11-19T19:02:13Z'), leftAt: utc('2024-11-19T19:40:00Z') });
    expect(report.webinar?.actualStart).toEqual(utc('2024-11-19T18:58:00Z'));
  });

  it('gives the same rows and line numbers whatever the line ends (LF, CR, a mix)', () => {
    const body = text.replace(/\r\n/g, '\n');
    const variants = [body, body.replace(/\n/g, '\r'), body.split('\n').map((line, i) => line + (i % 2 ? '\r\n' : '\n')).join('')];
    const expected = parseAttendanceReport(text, tokyo);
    for (const variant of variants) expect(parseAttendanceReport(variant, tokyo)).toEqual(expected);
  });

  it('is still named the legacy layout without its Report Generated line, from how it writes times', () => {
    const withoutGenerated = text.replace(/Report Generated:[^\r\n]*\r\n/, '');
    expect(parseAttendanceReport(withoutGenerated, tokyo).layout).toBe('zoom-attendee-legacy');
  });
});

describe('Zoom attendee report, current layout', () => {
  const text = fixture('zoom-attendee-report-2025.csv');

  it('is detected, with its summary, in America/New_York', () => {
    const report = parseAttendanceReport(text, newYork);
    expect(report.layout).toBe('zoom-attendee-2025');
    expect(report.webinar).toEqual({ topic: 'Invoice Automation 101', platformId: '81234567890', actualStart: utc('2025-11-18T15:00:05Z'), durationMinutes: 62 });
  });

  it('reads 12-hour times, rejoins, and a row without a leave time from its minutes in session', () => {
    const { attendance } = parseAttendanceReport(text, newYork);
    expect(attendance.map(({ line, email, joinedAt, leftAt }) => ({ line, email, joinedAt, leftAt }))).toEqual([
      { line: 13, email: 'maria.garcia@example.com', joinedAt: utc('2025-11-18T15:02:13Z'), leftAt: utc('2025-11-18T15:31:40Z') },
      { line: 14, email: 'maria.garcia@example.com', joinedAt: utc('2025-11-18T15:35:00Z'), leftAt: utc('2025-11-18T16:01:30Z') },
      { line: 15, email: 'sho.nakamura@example.jp', joinedAt: utc('2025-11-18T15:05:00Z'), leftAt: utc('2025-11-18T16:01:00Z') },
    ]);
    expect(attendance[0]).toMatchObject({ registeredAt: utc('2025-11-10T21:12:09Z'), answers: [{ question: 'Company', answer: 'Acme Corp' }] });
  });

  it("treats Zoom's own columns (Source Name, Country/Region Name, Is Guest) as facts, not answers", () => {
    const { registrations } = parseAttendanceReport(text, newYork);
    expect(registrations).toEqual([
      { line: 16, email: 'dana.lee@example.com', name: 'Dana Lee', firstName: 'Dana', lastName: 'Lee', registeredAt: utc('2025-11-12T14:00:00Z'), approvalStatus: 'approved', answers: [] },
    ]);
  });

  it('reports an invalid email and a leave before the join by line', () => {
    expect(parseAttendanceReport(text, newYork).problems).toEqual([
      { line: 17, message: 'line 17: email is not an email address' },
      { line: 18, message: "line 18: leave time '11/18/2025 10:20:00 AM' is before join time '11/18/2025 10:40:00 AM'" },
    ]);
  });

  it('reads the same file in Asia/Tokyo as Tokyo wall-clock times', () => {
    const report = parseAttendanceReport(text, tokyo);
    expect(report.timeZone).toBe('Asia/Tokyo');
    expect(report.attendance[0]).toMatchObject({ joinedAt: utc('2025-11-18T01:02:13Z'), leftAt: utc('2025-11-18T01:31:40Z') });
  });

  it('reads a copy a spreadsheet re-saved with tabs the same way', () => {
    expect(parseAttendanceReport(text.replace(/,/g, '\t'), newYork)).toEqual(parseAttendanceReport(text, newYork));
  });

  it('is still named the current layout without its Report generated time line, from how it writes times', () => {
    expect(parseAttendanceReport(text.replace(/Report generated time[^\n]*\n/, ''), newYork).layout).toBe('zoom-attendee-2025');
  });
});

describe('Zoom registration report', () => {
  const text = fixture('zoom-registration-report.csv');

  it('returns registrants with every non-standard column as a question, empty answers left out', () => {
    const report = parseAttendanceReport(text, tokyo);
    expect(report.layout).toBe('zoom-registration');
    expect(report.attendance).toEqual([]);
    expect(report.webinar).toEqual({ topic: '請求書の自動化, はじめの一歩', platformId: '81234567890' });
    expect(report.registrations[0]).toEqual({
      line: 7,
      email: 'taro.yamada@example.co.jp',
      name: '太郎 山田',
      firstName: '太郎',
      lastName: '山田',
      registeredAt: utc('2025-11-12T01:03:45Z'),
      approvalStatus: 'approved',
      answers: [
        { question: 'Job Title', answer: '経理部長' },
        { question: 'Organization', answer: '株式会社サンプル' },
        { question: 'Questions & Comments', answer: 'デモは録画されますか？' },
        { question: 'What would you like to learn?', answer: '電子請求書' },
      ],
    });
    expect(report.registrations[1]).toMatchObject({ line: 8, email: 'hanako.suzuki@example.com', answers: [] });
  });

  it('keeps a quoted answer that spans two lines, and counts physical lines after it', () => {
    const report = parseAttendanceReport(text, tokyo);
    expect(report.registrations[2]).toMatchObject({
      line: 9,
      email: 'ken.ito@example.com',
      approvalStatus: 'pending',
      answers: expect.arrayContaining([
        { question: 'Organization', answer: 'Ito & Co., Ltd.' },
        { question: 'Questions & Comments', answer: 'Two questions:\n1) pricing, 2) API' },
      ]),
    });
    expect(report.problems).toEqual([
      { line: 11, message: 'line 11: email is not an email address' },
      { line: 12, message: "line 12: registration time '11/31/2025 09:00:00 AM' is not a date (read as month/day/year, the order Zoom writes)" },
    ]);
  });

  it('returns a duplicated registrant as is (deduplication happens later)', () => {
    const lines = parseAttendanceReport(text, tokyo)
      .registrations.filter((row) => row.email === 'taro.yamada@example.co.jp')
      .map((row) => row.line);
    expect(lines).toEqual([7, 13]);
  });
});

describe('generic attendance CSV', () => {
  const text = fixture('generic-attendance.csv');

  it('tolerates header case, spaces and underscores, and mixed line ends', () => {
    expect(text).toMatch(/\r\n/);
    expect(text).toMatch(/[^\r]\n/);
    const report = parseAttendanceReport(text, newYork);
    expect(report.layout).toBe('generic');
    expect(report.webinar).toBeUndefined();
    expect(report.registrations).toEqual([]);
    expect(report.attendance.map((row) => row.line)).toEqual([2, 3, 4, 5, 8]);
  });

  it('uses the offset when a time has one and the zone when it does not; minutes give the leave time', () => {
    const [utcRow, offsetRow, local] = parseAttendanceReport(text, newYork).attendance;
    expect(utcRow).toEqual({ line: 2, email: 'aiko.mori@example.jp', name: '森 愛子', joinedAt: utc('2025-11-18T05:02:13Z'), leftAt: utc('2025-11-18T05:40:00Z'), answers: [] });
    expect(offsetRow).toMatchObject({ joinedAt: utc('2025-11-18T05:45:30Z'), leftAt: utc('2025-11-18T06:01:30Z') });
    expect(local).toMatchObject({ email: 'ben.carter@example.com', joinedAt: utc('2025-11-18T19:00:00Z'), leftAt: utc('2025-11-18T20:00:00Z') });
    expect(parseAttendanceReport(text, tokyo).attendance[2]).toMatchObject({ joinedAt: utc('2025-11-18T05:00:00Z') });
    expect(parseAttendanceReport(text, tokyo).attendance[1]).toEqual(offsetRow);
  });

  it('accepts fractional minutes and a name with escaped quotes', () => {
    expect(parseAttendanceReport(text, newYork).attendance[4]).toMatchObject({ name: 'Eve "Evie" Adams', joinedAt: utc('2025-11-18T19:05:00Z'), leftAt: utc('2025-11-18T19:30:30Z') });
  });

  it('returns duplicate rows as they are', () => {
    const rows = parseAttendanceReport(text, newYork).attendance.filter((row) => row.email === 'ben.carter@example.com');
    expect(rows.map((row) => row.line)).toEqual([4, 5]);
  });

  it('reports minutes that are not a number and a leave before the join by line', () => {
    expect(parseAttendanceReport(text, newYork).problems).toEqual([
      { line: 6, message: "line 6: minutes 'about 20' is not a number of minutes" },
      { line: 7, message: "line 7: leave time '2025-11-18 14:30:00' is before join time '2025-11-18 15:00:00'" },
    ]);
  });

  it('moves a time in the spring-forward gap forward and takes the first of a fall-back hour, as the project helper does', () => {
    const csv = 'email,join_time,minutes\na@example.com,2026-03-08 02:30:00,10\nb@example.com,2026-11-01 01:30:00,10\n';
    const [gap, overlap] = parseAttendanceReport(csv, newYork).attendance;
    expect(gap?.joinedAt).toEqual(utc('2026-03-08T07:30:00Z')); // 03:30 EDT
    expect(overlap?.joinedAt).toEqual(utc('2026-11-01T05:30:00Z')); // 01:30 EDT, the earlier of the two
  });

  it('reports a row with neither a leave time nor minutes, and an unknown time format with the formats it reads', () => {
    const csv = 'email,join_time,leave_time,minutes\na@example.com,2025-11-18 10:00,,\nb@example.com,18.11.2025 10:00,2025-11-18 11:00,\n';
    expect(parseAttendanceReport(csv, tokyo).problems.map((problem) => problem.message)).toEqual([
      'line 2: has neither a leave time nor minutes',
      "line 3: join time '18.11.2025 10:00' is not a date and time (expected e.g. 'Nov 18, 2025 10:02:13', '11/18/2025 10:02:13 AM', '2025-11-18 10:02:13' or '2025-11-18T10:02:13+09:00')",
    ]);
  });
});

describe('a file that cannot be read', () => {
  const read = (text: string) => () => parseAttendanceReport(text, { timeZone: 'Asia/Tokyo', fileName: 'webinar-1118.csv' });

  it('without a recognisable header: says which headers were expected and what was found, addresses masked', () => {
    expect(read('participant,mail,start\nTaro,taro@example.com,10:00\n')).toThrow(AttendanceReportError);
    expect(read('participant,mail,start\nTaro,taro@example.com,10:00\n')).toThrow(
      /^webinar-1118\.csv: no recognisable header\. Expected a Zoom webinar attendee report .*Attended,User Name \(Original Name\).*email, join_time and leave_time or minutes.*Found line 1: 'participant,mail,start'$/,
    );
    expect(read('Taro,taro@example.com,10:00\n')).toThrow(/Found line 1: 'Taro,<email>,10:00'/);
  });

  it('with an email column but not the time columns: names the missing ones', () => {
    expect(read('\n\nemail,join_time\na@example.com,2025-11-18 10:00\n')).toThrow(/Found line 3: 'email,join_time', which has an email column but no leave_time or minutes/);
  });

  it('with a header after Attendee Details that is not one it knows: points at it', () => {
    expect(read('Attendee Report\nAttendee Details\nTeilgenommen,Benutzername,E-Mail-Adresse\n')).toThrow(
      /Found after the Attendee Details title, line 3: 'Teilgenommen,Benutzername,E-Mail-Adresse'/,
    );
  });

  it('when empty', () => {
    expect(read('\uFEFF\r\n\r\n')).toThrow(/^webinar-1118\.csv: the file is empty\. Expected/);
  });

  it('refuses a zone that is not an IANA zone rather than guess', () => {
    expect(() => parseAttendanceReport('email,join_time,minutes\n', { timeZone: 'JST' })).toThrow(/IANA zone like Asia\/Tokyo, got 'JST'/);
  });
});
