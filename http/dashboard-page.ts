/**
 * The dashboard page: every number as HTML (tables readable without JavaScript, on a phone too:
 * wide tables scroll sideways), and the view as JSON for the charts, which the page script
 * (http/dashboard-script.ts) draws with Chart.js. Counts carry `data-kpi`, rates their fraction
 * in `data-value`, so what a reader sees can be checked against `npm run report`.
 */
import type { DashboardView, EmailPanel } from '../core/reporting/dashboard.ts';
import { KPI_COUNTS, type KpiCounts, type KpiRates } from '../core/reporting/kpi-counters.ts';
import type { KpiRow } from '../core/reporting/kpi-report.ts';
import { PAUSE_ALL } from '../core/sending/sending-pause.ts';
import type { DashboardLanguage, DashboardText } from './dashboard-text.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/gu, (character) => `&#${character.charCodeAt(0)};`);

const COUNT_COLUMNS = ['sent', 'delivered', 'openers', 'clickers', 'machineOpens', 'machineClicks', 'bounced', 'complained', 'unsubscribed'] as const satisfies ReadonlyArray<(typeof KPI_COUNTS)[number]>;
const RATE_COLUMNS = ['openRate', 'clickRate', 'clickToOpenRate', 'unsubscribeRate', 'bounceRate', 'complaintRate'] as const satisfies ReadonlyArray<keyof KpiRates>;

export interface DashboardPageOptions {
  language: DashboardLanguage;
  text: DashboardText;
  /** The page script and Chart.js, under the dashboard's path. */
  scriptUrls: readonly string[];
}

export function dashboardPage(view: DashboardView, options: DashboardPageOptions): string {
  const t = options.text;
  const kindOf = new Map(view.emails.map((panel) => [panel.messageId, panel.kind]));
  const other = options.language === 'ja' ? 'en' : 'ja';
  // Inside a <script> element: no "</script>" can end it early.
  const data = JSON.stringify({ view, text: t, language: options.language }).replace(/</gu, '\\u003c');
  return [
    `<!doctype html><html lang="${options.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(t.title)}</title><style>${STYLE}</style></head><body>`,
    `<header><h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.generated)} <time id="generated-at">${escapeHtml(view.generatedAt.slice(0, 16).replace('T', ' '))} UTC</time> · ${escapeHtml(t.period)} ${view.period.from.slice(0, 10)} – ${view.period.to.slice(0, 10)} · <a id="language-switch" href="?lang=${other}">${escapeHtml(t.language)}</a></p></header><main>`,
    sendingSection(view, t),
    emailsSection(view.emailRows, kindOf, t),
    sequenceSection(view.emails.filter((panel) => panel.kind === 'sequence'), t),
    webinarSection(view, t),
    csqlSection(view, t),
    risingSection(view, t),
    revenueSection(view, t),
    npsSection(view, t),
    `</main><script type="application/json" id="dashboard-data">${data}</script>`,
    ...options.scriptUrls.map((url) => `<script src="${escapeHtml(url)}"></script>`),
    '</body></html>',
  ].join('');
}

const percent = (value: number | undefined, digits = 1) => (value === undefined ? '–' : `${(value * 100).toFixed(digits)} %`);
const number = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });
const rateCell = (name: string, value: number, digits = 1) => `<td data-kpi="${name}" data-value="${Math.round(value * 10_000) / 10_000}">${percent(value, digits)}</td>`;
const countCell = (name: string, value: number) => `<td data-kpi="${name}">${number(value)}</td>`;
const table = (id: string, head: readonly string[], rows: readonly string[]) =>
  `<div class="scroll"><table id="${id}"><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
const chart = (id: string, title: string) => `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><div class="canvas"><canvas id="${id}" role="img" aria-label="${escapeHtml(title)}"></canvas></div></figure>`;

function sendingSection(view: DashboardView, t: DashboardText): string {
  const d = view.deliverability;
  const state =
    view.pauses.length === 0
      ? `<p id="sending-state" class="ok">${escapeHtml(t.sendingActive)}</p>`
      : `<div id="sending-state" class="alert"><p><strong>${escapeHtml(t.sendingPaused)}</strong></p><ul>${view.pauses
          .map((pause) => `<li>${pause.scope === PAUSE_ALL ? escapeHtml(t.allSending) : `<code>${escapeHtml(pause.scope)}</code>`} ${escapeHtml(t.pausedSince)} ${escapeHtml(pause.pausedAt)}${pause.pausedBy ? ` ${escapeHtml(t.pausedBy)} ${escapeHtml(pause.pausedBy)}` : ''}: ${escapeHtml(pause.reason)}</li>`)
          .join('')}</ul><p>${escapeHtml(t.resumeHint)}</p></div>`;
  const over = (value: number, limit: number) => (d.sent >= d.pauseLimits.minimumSample && value > limit ? ' class="over"' : '');
  const rows = [
    `<tr><th>${escapeHtml(t.sent)}</th><td data-kpi="sent">${number(d.sent)}</td><td></td><td></td></tr>`,
    `<tr${over(d.bounceRate, d.pauseLimits.bounceRate)}><th>${escapeHtml(t.bounceRate)}</th>${rateCell('bounceRate', d.bounceRate, 2)}<td>${escapeHtml(t.pauseLimit)} ${percent(d.pauseLimits.bounceRate, 2)}</td><td>${escapeHtml(t.sesReview)} ${percent(d.sesReviewLevels.bounceRate, 2)}</td></tr>`,
    `<tr${over(d.complaintRate, d.pauseLimits.complaintRate)}><th>${escapeHtml(t.complaintRate)}</th>${rateCell('complaintRate', d.complaintRate, 3)}<td>${escapeHtml(t.pauseLimit)} ${percent(d.pauseLimits.complaintRate, 3)}</td><td>${escapeHtml(t.sesReview)} ${percent(d.sesReviewLevels.complaintRate, 3)}</td></tr>`,
    ...(d.maxSendRate === undefined ? [] : [`<tr><th>${escapeHtml(t.sendQuota)}</th><td data-kpi="maxSendRate">${number(d.maxSendRate)} ${escapeHtml(t.perSecond)}</td><td></td><td></td></tr>`]),
  ];
  return `<section id="sending"><h2>${escapeHtml(t.sending)}</h2>${state}<h3>${escapeHtml(t.deliverability.replace('{days}', String(d.windowDays)))}</h3><div class="scroll"><table id="deliverability"><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function kpiCells(counts: KpiCounts, rates: KpiRates): string {
  return COUNT_COLUMNS.map((name) => countCell(name, counts[name])).join('') + RATE_COLUMNS.map((name) => rateCell(name, rates[name])).join('');
}

function kpiHead(t: DashboardText): string[] {
  return [...COUNT_COLUMNS.map((name) => t[name]), ...RATE_COLUMNS.map((name) => t[name])];
}

function emailsSection(rows: readonly KpiRow[], kindOf: ReadonlyMap<string, EmailPanel['kind']>, t: DashboardText): string {
  if (rows.length <= 1) return `<section id="emails"><h2>${escapeHtml(t.emails)}</h2><p>${escapeHtml(t.none)}</p></section>`;
  const body = rows.map((row) => {
    const kind = kindOf.get(row.key);
    const label = row.key === 'total' ? t.total : row.key;
    return `<tr data-email="${escapeHtml(row.key)}"${row.key === 'total' ? ' class="total"' : ''}><th>${escapeHtml(label)}</th><td>${kind ? escapeHtml(t[`kind_${kind}`]) : ''}</td>${kpiCells(row.counts, row.rates)}</tr>`;
  });
  return `<section id="emails"><h2>${escapeHtml(t.emails)}</h2>${table('email-kpis', [t.email, t.kind, ...kpiHead(t)], body)}<div class="charts">${chart('chart-funnel', t.funnel)}${chart('chart-rates', t.ratesOverTime)}</div></section>`;
}

function sequenceSection(sequences: readonly EmailPanel[], t: DashboardText): string {
  if (sequences.length === 0) return '';
  const parts = sequences.map((sequence) => {
    const rows = sequence.steps.map((row) => `<tr data-step="${escapeHtml(row.key)}"><th>${escapeHtml(row.key)}</th>${kpiCells(row.counts, row.rates)}</tr>`);
    return `<h3>${escapeHtml(sequence.messageId)}</h3>${table(`steps-${sequence.messageId}`, [t.step, ...kpiHead(t)], rows)}`;
  });
  return `<section id="sequences"><h2>${escapeHtml(t.sequenceSteps)}</h2>${parts.join('')}</section>`;
}

function webinarSection(view: DashboardView, t: DashboardText): string {
  if (view.webinars.length === 0) return '';
  const rows = view.webinars.map(
    (panel) =>
      `<tr data-session="${escapeHtml(`${panel.webinarId}/${panel.sessionId}`)}"><th>${escapeHtml(panel.title)}<br><small>${escapeHtml(panel.sessionId)} · ${escapeHtml(panel.startsAt.slice(0, 16).replace('T', ' '))} UTC</small></th><td>${escapeHtml(t[`phase_${panel.status}`])}</td>${countCell('registered', panel.kpis.registered)}${countCell('attended', panel.kpis.attended)}${countCell('noShows', panel.kpis.noShows)}${rateCell('attendanceRate', panel.kpis.attendanceRate)}${countCell('averageWatchMinutes', panel.kpis.averageWatchMinutes)}</tr>`,
  );
  const charts = view.webinars
    .filter((panel) => panel.kpis.dropOff.some((watching) => watching > 0))
    .map((panel) => chart(`chart-dropoff-${panel.webinarId}-${panel.sessionId}`, `${panel.title} (${panel.sessionId}): ${t.dropOff}`) + chart(`chart-watch-${panel.webinarId}-${panel.sessionId}`, `${panel.title} (${panel.sessionId}): ${t.watchShare}`));
  return `<section id="webinars"><h2>${escapeHtml(t.webinars)}</h2>${table('webinar-kpis', [t.session, t.status, t.registered, t.attended, t.noShows, t.attendanceRate, t.averageWatch], rows)}<div class="charts">${charts.join('')}</div></section>`;
}

function csqlSection(view: DashboardView, t: DashboardText): string {
  const { funnel, list, touchedBy } = view.csql;
  const summary = `<ul class="figures" id="csql-funnel"><li>${escapeHtml(t.promoted)} <strong data-kpi="promoted">${funnel.promoted}</strong></li><li>${escapeHtml(t.accepted)} <strong data-kpi="accepted">${funnel.accepted}</strong></li><li>${escapeHtml(t.rejected)} <strong data-kpi="rejected">${funnel.rejected}</strong></li><li>${escapeHtml(t.won)} <strong data-kpi="won">${funnel.won}</strong></li><li>${escapeHtml(t.acceptanceRate)} <strong>${percent(funnel.acceptanceRate)}</strong></li><li>${escapeHtml(t.winRate)} <strong>${percent(funnel.winRate)}</strong></li></ul>`;
  if (list.length === 0) return `<section id="csql"><h2>${escapeHtml(t.csql)}</h2>${summary}<p>${escapeHtml(t.noCsql)}</p></section>`;
  const rows = list.map(
    (entry) =>
      `<tr data-account="${escapeHtml(entry.accountId)}"><th>${escapeHtml(entry.accountName ?? entry.accountId)}<br><small>${escapeHtml(entry.accountId)}</small></th><td>${escapeHtml(entry.tier ?? '')}</td><td>${escapeHtml(entry.promotedAt.slice(0, 16).replace('T', ' '))}</td><td title="${escapeHtml(entry.ruleDescription)}">${escapeHtml(entry.ruleId)}</td>${countCell('accountScore', entry.accountScore)}${countCell('health', entry.health)}<td>${escapeHtml(entry.topSignals.map((signal) => `${signal.signal} ${number(signal.contribution)}`).join(', '))}</td><td>${escapeHtml(entry.status)}</td></tr>`,
  );
  const touched = touchedBy.map((row) => `<tr data-touched="${escapeHtml(row.messageId)}"><th>${escapeHtml(row.messageId)}</th>${countCell('csqls', row.csqls)}${countCell('accepted', row.accepted)}${countCell('won', row.won)}</tr>`);
  return (
    `<section id="csql"><h2>${escapeHtml(t.csql)}</h2>${summary}` +
    table('csql-list', [t.account, t.tier, t.promotedAt, t.rule, t.score, t.health, t.reasons, t.status], rows) +
    `<div class="charts">${chart('chart-score-trend', t.scoreTrend)}${chart('chart-health-trend', t.healthTrend)}</div>` +
    `<h3>${escapeHtml(t.touchedBy)}</h3>${table('csql-touched', [t.email, 'CSQL', t.accepted, t.won], touched)}</section>`
  );
}

function risingSection(view: DashboardView, t: DashboardText): string {
  if (view.risingAccounts.length === 0) return '';
  const rows = view.risingAccounts.map(
    (entry) => `<tr data-account="${escapeHtml(entry.accountId)}"><th>${escapeHtml(entry.accountName)}<br><small>${escapeHtml(entry.accountId)}</small></th><td>${escapeHtml(entry.tier)}</td>${countCell('accountScore', entry.score)}${countCell('health', entry.health)}</tr>`,
  );
  return `<section id="rising"><h2>${escapeHtml(t.rising)}</h2>${table('rising-accounts', [t.account, t.tier, t.score, t.health], rows)}<div class="charts">${chart('chart-rising-trend', t.risingTrend)}</div></section>`;
}

function revenueSection(view: DashboardView, t: DashboardText): string {
  if (view.revenue.length === 0) return `<section id="revenue"><h2>${escapeHtml(t.revenue)}</h2><p>${escapeHtml(t.none)}</p></section>`;
  const rows = view.revenue.map(
    (row) =>
      `<tr data-revenue="${escapeHtml(row.key)}"><th>${escapeHtml(row.key)}</th>${countCell('accounts', row.accounts)}${countCell('startMrr', row.startMrr)}${countCell('newMrr', row.newMrr)}${countCell('expansionMrr', row.expansionMrr)}${countCell('contractionMrr', row.contractionMrr)}${countCell('churnedMrr', row.churnedMrr)}${countCell('endMrr', row.endMrr)}<td data-kpi="nrr">${percent(row.nrr)}</td>${countCell('upsells', row.upsells)}${countCell('crossSells', row.crossSells)}</tr>`,
  );
  return `<section id="revenue"><h2>${escapeHtml(t.revenue)}</h2>${table('revenue-table', [t.tierCurrency, t.accounts, t.startMrr, t.newMrr, t.expansion, t.contraction, t.churned, t.endMrr, t.nrr, t.upsells, t.crossSells], rows)}<div class="charts">${chart('chart-revenue', t.revenue)}</div></section>`;
}

function npsSection(view: DashboardView, t: DashboardText): string {
  if (view.nps.length === 0) return '';
  const rows = view.nps.flatMap((survey) => survey.byMonth.map((month) => `<tr><th>${escapeHtml(survey.surveyId)}</th><td>${month.month}</td>${countCell('answers', month.answers)}<td data-kpi="nps">${month.nps === undefined ? '–' : number(month.nps)}</td></tr>`));
  return `<section id="nps"><h2>${escapeHtml(t.nps)}</h2>${rows.length === 0 ? `<p>${escapeHtml(t.none)}</p>` : table('nps-table', ['', '', t.answers, 'NPS'], rows)}</section>`;
}

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK JP","Hiragino Sans",sans-serif;color:#1d2530;background:#f5f7fa}
body{margin:0}header{background:#1f3a5f;color:#fff;padding:.8rem 1.2rem}header h1{margin:0;font-size:1.4rem}header p{margin:.3rem 0 0;font-size:.9rem}header a{color:#cfe3ff}
main{padding:1rem;max-width:1400px;margin:auto}section{background:#fff;border-radius:8px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{margin:.2rem 0 .8rem;font-size:1.2rem}h3{font-size:1rem;margin:1rem 0 .5rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.85rem;min-width:100%}th,td{padding:.35rem .5rem;border-bottom:1px solid #e3e8ef;text-align:right;white-space:nowrap}
th:first-child{text-align:left}thead th{background:#eef2f7;position:sticky;top:0}tr.total{font-weight:bold;background:#f8fafc}tr.over td,tr.over th{color:#b42318;font-weight:bold}
.ok{color:#137333;font-weight:bold}.alert{border-left:4px solid #b42318;padding-left:.8rem;color:#7a1b12}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem;margin-top:1rem}.chart{margin:0}.chart figcaption{font-size:.85rem;margin-bottom:.3rem}.canvas{position:relative;height:260px}
.figures{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0}.figures li{background:#eef2f7;border-radius:6px;padding:.4rem .7rem}
small{color:#5b6675}
@media (max-width:600px){main{padding:.5rem}section{padding:.6rem}.canvas{height:220px}}
`;
