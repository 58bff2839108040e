/** The webinar lines of the demo's summary table. */
import type { WebinarDemoResult } from './demo-webinar.ts';

export function webinarSummaryRows(result: WebinarDemoResult): Array<[string, string]> {
  const { kpis } = result;
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  return [
    ['webinar invitations', `${result.invitations} sent; ${result.registeredByLink} registered with one click, ${result.scannerRegistrations} by the link scanner`],
    ['Zoom webhooks', `${result.webhooksPosted} posted (each twice), ${result.webhooksRefused} refused; ${result.zoomRegistrations} Zoom registrations`],
    ['webinar emails', [...result.sentByMessage.entries()].map(([message, count]) => `${message} ${count}`).join(', ')],
    ['webinar KPIs (Tokyo)', `registered ${kpis.registered}, attended ${kpis.attended}, attendance ${percent(kpis.attendanceRate)}, average watch ${kpis.averageWatchMinutes} min`],
    ['drop-off (min 0,10,..,60)', kpis.dropOff.filter((_, minute) => minute % 10 === 0).join(', ')],
    ['follow-ups (Tokyo)', `${result.tokyoFollowUps} for ${result.tokyoRegistrants} registrants (exactly one each)`],
  ];
}
