/**
 * `npm run webinar -- <command>`: what the team running a webinar does from the command line.
 *   questions <webinar> [--session <id>] [--format table|csv|json]   what registrants asked or told us beforehand
 *   import <webinar> <session> <report.csv> [--zone <IANA zone>]     a Zoom attendee / registration report or a generic CSV
 *   report <webinar> [--session <id>]                                  registered, attended, watch time, drop-off curve
 *   reschedule <webinar> <session> <local start, e.g. 2026-12-12T10:00> [--zone <IANA zone>]
 *   cancel <webinar> <session>
 *   unmatched                                                          registrants of no known contact yet (joined when imported)
 * Target: the local engine (as npm run import), or --aws-table <deployed table name> with AWS credentials.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { decodeTextFile } from '../adapters/fs/text-file-encoding.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { localToUtc, parseLocalDateTime } from '../core/config/local-date-time.ts';
import type { Store } from '../core/ports.ts';
import { sessionKpis } from '../core/reporting/webinar-kpis.ts';
import { parseAttendanceReport } from '../core/webinars/attendance-report.ts';
import { changeSession } from '../core/webinars/change-session.ts';
import { importAttendance } from '../core/webinars/record-attendance.ts';
import type { WebinarDeps } from '../core/webinars/register-for-webinar.ts';
import { sessionsOf, requireSession } from '../core/webinars/webinar-catalog.ts';
import { maskEmail } from '../http/subscription-pages.ts';
import { AWS_TABLE_HELP, UsageError, readCommandLine, runCommand } from '../local/command-line.ts';
import { withToolStore } from '../local/local-store-session.ts';
import { engagementRecorderOf } from '../core/scoring/record-engagement.ts';

const USAGE = [
  'usage: npm run webinar -- questions <webinar> [--session <id>] [--format table|csv|json]',
  '       npm run webinar -- import <webinar> <session> <report.csv> [--zone <IANA zone>]',
  '       npm run webinar -- report <webinar> [--session <id>]',
  '       npm run webinar -- reschedule <webinar> <session> <local start like 2026-12-12T10:00> [--zone <IANA zone>]',
  '       npm run webinar -- cancel <webinar> <session>',
  '       npm run webinar -- unmatched',
].join('\n');


async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = readCommandLine(
    {
      usage: 'npm run webinar -- questions|import|report|reschedule|cancel|unmatched ...',
      summary: `Webinar registrations, attendance reports, KPIs and session changes.\n${USAGE}`,
      options: {
        session: { type: 'string' },
        format: { type: 'string' },
        zone: { type: 'string' },
        'aws-table': { type: 'string' },
      },
      optionHelp: {
        session: 'one session of the webinar (default: all its sessions)',
        format: 'questions: table (default), csv or json',
        zone: "import: the zone the report's times are in (Zoom writes the exporting user's zone); reschedule: the zone of the new start. Default: the session's",
        'aws-table': AWS_TABLE_HELP,
      },
    },
    projectRoot,
  );
  const [command, ...args] = positionals;
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
  const webinarOf = (id: string | undefined) => {
    if (!id) throw new UsageError(USAGE);
    if (sessionsOf(config, id).length === 0) throw new UsageError(`no webinar '${id}'; known: ${config.webinars.map((webinar) => webinar.id).join(', ') || 'none'}`);
    return id;
  };
  const sessionIds = (webinarId: string) => {
    const all = sessionsOf(config, webinarId).map((configured) => configured.session.id);
    if (values.session && !all.includes(values.session)) throw new UsageError(`--session: webinar '${webinarId}' has no session '${values.session}'; its sessions: ${all.join(', ')}`);
    return values.session ? [values.session] : all;
  };
  const run = (work: (deps: WebinarDeps) => Promise<void>) =>
    withToolStore({ awsTable: values['aws-table'], settings, env: process.env }, (store) => work(webinarDepsOf(store, config)));

  switch (command) {
    case 'questions': {
      const webinarId = webinarOf(args[0]);
      const format = values.format ?? 'table';
      if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`--format: expected table, csv or json, got '${format}'`);
      return run(async ({ webinars }) => {
        const rows: Array<{ session: string; registrant: string; question: string; answer: string }> = [];
        for (const sessionId of sessionIds(webinarId)) {
          for (const registrant of await webinars.listRegistrants(webinarId, sessionId)) {
            // The team preparing the session needs what was asked, not who: addresses are masked.
            for (const { question, answer } of registrant.answers) rows.push({ session: sessionId, registrant: registrant.contactId ?? maskEmail(registrant.email), question, answer });
          }
        }
        if (format === 'json') console.log(JSON.stringify(rows, null, 2));
        else if (format === 'csv') process.stdout.write(stringify(rows, { header: true }));
        else if (rows.length === 0) console.log(`no answers yet for ${webinarId}`);
        else for (const row of rows) console.log(`${row.session}  ${row.registrant.padEnd(24)}  ${row.question}: ${row.answer.replace(/\s+/gu, ' ')}`);
      });
    }
    case 'import': {
      const [webinarArg, sessionId, file] = args;
      const webinarId = webinarOf(webinarArg);
      if (!sessionId || !file) throw new UsageError(USAGE);
      const configured = requireSession(config, webinarId, sessionId);
      const zone = values.zone ?? configured.session.timezone;
      const decoded = decodeTextFile(new Uint8Array(await readFile(file)));
      const report = parseAttendanceReport(decoded.text, { timeZone: zone, fileName: basename(file) });
      console.log(`${basename(file)}: ${report.layout} layout, times without an offset read in ${report.timeZone}${values.zone ? '' : " (the session's zone; give --zone if the report was exported in another)"}`);
      if (report.webinar?.platformId && configured.session.zoomWebinarId && report.webinar.platformId !== configured.session.zoomWebinarId) {
        throw new UsageError(`${basename(file)} is the report of Zoom webinar ${report.webinar.platformId}, but session '${sessionId}' is Zoom webinar ${configured.session.zoomWebinarId}: nothing imported`);
      }
      for (const problem of report.problems) console.log(`  ${problem.message}`);
      return run(async (deps) => {
        const outcome = await importAttendance(
          {
            webinarId,
            sessionId,
            origin: 'report',
            stays: report.attendance,
            registrations: [...report.registrations, ...report.attendance.filter((row) => row.registeredAt).map((row) => ({ email: row.email, ...(row.name ? { name: row.name } : {}), ...(row.registeredAt ? { registeredAt: row.registeredAt } : {}), answers: row.answers }))],
          },
          deps,
        );
        console.log(`  ${outcome.stays} attendance row(s), ${outcome.registered} new registration(s), ${outcome.alreadyRegistered} already registered, ${outcome.unmatched} of no known contact (kept; joined when imported), ${report.problems.length} bad row(s) skipped`);
        if (outcome.finalized) console.log(`  session over: ${outcome.finalized.attended} attended, ${outcome.finalized.noShows} no-shows (${outcome.finalized.updated} changed by this file)`);
      });
    }
    case 'report': {
      const webinarId = webinarOf(args[0]);
      const wanted = sessionIds(webinarId);
      return run(async ({ webinars }) => {
        for (const { sessionId, status, revision, startsAt, kpis } of (await sessionKpis(config, webinars, [webinarId])).filter((session) => wanted.includes(session.sessionId))) {
          console.log(`${webinarId} / ${sessionId} (${status}${revision > 0 ? `, rescheduled ${revision}x` : ''}, starts ${startsAt})`);
          console.log(`  registered ${kpis.registered}, attended ${kpis.attended}, no-shows ${kpis.noShows}, attendance rate ${(kpis.attendanceRate * 100).toFixed(1)} %, average watch ${kpis.averageWatchMinutes} min`);
          console.log(`  watched share 0-25 % ${kpis.watchShareQuartiles[0]}, 25-50 % ${kpis.watchShareQuartiles[1]}, 50-75 % ${kpis.watchShareQuartiles[2]}, 75-100 % ${kpis.watchShareQuartiles[3]}`);
          if (kpis.dropOff.some((watching) => watching > 0)) console.log(`  drop-off (watching at minute 0, 10, 20, ...): ${kpis.dropOff.filter((_, minute) => minute % 10 === 0).join(', ')}`);
        }
      });
    }
    case 'reschedule': {
      const [webinarArg, sessionId, start] = args;
      const webinarId = webinarOf(webinarArg);
      if (!sessionId || !start) throw new UsageError(USAGE);
      const configured = requireSession(config, webinarId, sessionId);
      const local = parseLocalDateTime(start);
      if (!local) throw new UsageError(`expected the new start as a local date and time like 2026-12-12T10:00, got '${start}'`);
      const startsAt = localToUtc(local, values.zone ?? configured.session.timezone);
      const endsAt = new Date(startsAt.getTime() + (configured.endsAt.getTime() - configured.startsAt.getTime()));
      return run(async (deps) => {
        const outcome = await changeSession(webinarId, sessionId, { kind: 'reschedule', startsAt, endsAt, changedAt: new Date() }, deps);
        console.log(`${webinarId} / ${sessionId}: ${JSON.stringify(outcome)}`);
      });
    }
    case 'cancel': {
      const [webinarArg, sessionId] = args;
      const webinarId = webinarOf(webinarArg);
      if (!sessionId) throw new UsageError(USAGE);
      requireSession(config, webinarId, sessionId);
      return run(async (deps) => console.log(`${webinarId} / ${sessionId}: ${JSON.stringify(await changeSession(webinarId, sessionId, { kind: 'cancel', changedAt: new Date() }, deps))}`));
    }
    case 'unmatched':
      return run(async ({ webinars }) => {
        const unmatched = await webinars.listUnmatchedRegistrants(1000);
        if (unmatched.length === 0) console.log('every registrant is a known contact');
        for (const registrant of unmatched) console.log(`${registrant.registeredAt}  ${registrant.webinarId}/${registrant.sessionId}  ${maskEmail(registrant.email)}  (${registrant.source})`);
      });
    default:
      throw new UsageError(USAGE);
  }
}

function webinarDepsOf(store: Store, config: EngineConfig): WebinarDeps {
  return { config, webinars: store.webinars, customers: store.customers, engagement: engagementRecorderOf(store, config.scoring, systemClock), sends: store.sends, clock: systemClock };
}

runCommand(main);
