/**
 * Bench `render`: what rendering one recipient costs when MJML is compiled once and each recipient
 * is a Liquid render of the compiled HTML (the sender's path), against compiling MJML again for
 * every recipient (the baseline), in the same run with the same rendering engines. Measured on the
 * shipped monthly-newsletter template (ja and en, together the headline figures) and on a
 * realistic 8-section newsletter (`fixtures/newsletter-8-sections.mjml`), since the shipped one is
 * small and its MJML compile is cheap. Warm-up first (JIT, mjml's lazy loads), then the median of
 * several rounds, the two sides' order alternating. Also shown: how much of the precompiled cost is
 * the HTML-to-plain-text conversion, which runs per recipient after Liquid, and what click and open
 * tracking adds per recipient: the sender's real per-recipient cost is render + tracking
 * (`render.tracked_ms_per_recipient`). Tracking is measured as the sender does it (links recorded
 * by the render, `renderEmail(..., { trackLinks: true })`, then trackEmail with the prepared
 * form) against scanning each rendered HTML for its links (trackEmail without it, as before and
 * as previews still do), in the same run on the same recipients; both must give the same email.
 */
import { median, round1, round4 } from './figure-math.ts';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { parseTemplateSource, type TemplateVersion } from '../core/config/template-source.ts';
import { compileTemplate, type CompiledTemplate } from '../core/rendering/compile-template.ts';
import type { RenderContext } from '../core/rendering/render-context.ts';
import { renderEmail } from '../core/rendering/render-email.ts';
import { renderCompilingEach, renderPrecompiled, sampleRecipients, timed } from '../core/rendering/render-timing.ts';
import { createRenderingEngines, type RenderingEngines } from '../core/rendering/rendering-engines.ts';
import { trackEmail, type TrackedEmail } from '../core/tracking/track-email.ts';
import type { Figures } from './bench.ts';
import { formatNumber, formatTable } from './figure-table.ts';

export const name = 'render';

const ROUNDS = 5;
/** Recipients per round rendered from the precompiled template: enough that its one compile is noise. */
const PRECOMPILED_RECIPIENTS = 4_000;
/** Recipients per round compiled one by one (each costs a full MJML compile). */
const COMPILE_EACH_RECIPIENTS = { small: 200, large: 60 } as const;
/** Rendered emails whose HTML is converted to plain text again, alone, to show that step's share. */
const PLAIN_TEXT_SAMPLE = 1_000;
/** Recipients per round rendered plain, tracked as the sender does, and tracked by scanning. */
const TRACKED_RECIPIENTS = 2_000;
const TRACKING = { baseUrl: 'https://links.example.com', tokenSecret: 'bench-render-token-secret-0123456789' } as const;
const WARM_UP = { precompiled: 500, compileEach: 20 } as const;
const FIXTURE = 'bench/fixtures/newsletter-8-sections.mjml';

const now = () => performance.now();

interface Subject {
  label: string;
  version: TemplateVersion;
  compileEachRecipients: number;
}

interface Measurement {
  precompiledMsPerRecipient: number;
  compileEachMsPerRecipient: number;
  /** Of the precompiled cost: turning each recipient's rendered HTML into the plain-text part. */
  plainTextMsPerRecipient: number;
  /** Render + click and open tracking as the sender does it (links recorded by the render). */
  trackedMsPerRecipient: number;
  /** Render + tracking by scanning the rendered HTML (the baseline). */
  trackedScanMsPerRecipient: number;
  /** What each way of tracking adds to the plain render (same recipients, same round). */
  trackingMsPerRecipient: number;
  trackingScanMsPerRecipient: number;
}

const MEASURED: ReadonlyArray<keyof Measurement> = [
  'precompiledMsPerRecipient',
  'compileEachMsPerRecipient',
  'plainTextMsPerRecipient',
  'trackedMsPerRecipient',
  'trackedScanMsPerRecipient',
  'trackingMsPerRecipient',
  'trackingScanMsPerRecipient',
];

export class RenderBenchError extends Error {
  constructor(message: string) {
    super(`bench render: ${message}`);
    this.name = 'RenderBenchError';
  }
}

export async function run(): Promise<Figures> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const config = await loadConfigOrThrow(defaultConfigLocation(root));
  const newsletter = config.templates.get('monthly-newsletter');
  const ja = newsletter?.get('ja');
  const en = newsletter?.get('en');
  if (!ja || !en) throw new RenderBenchError('the shipped config has no monthly-newsletter template in ja and en');
  const parsed = parseTemplateSource({ file: FIXTURE, templateId: 'newsletter-8-sections', locale: 'en', text: await readFile(new URL('./fixtures/newsletter-8-sections.mjml', import.meta.url), 'utf8') });
  if (!parsed.version) throw new RenderBenchError(`${FIXTURE}: ${parsed.problems.map((problem) => problem.message).join('; ')}`);

  const subjects: Subject[] = [
    { label: 'monthly-newsletter ja', version: ja, compileEachRecipients: COMPILE_EACH_RECIPIENTS.small },
    { label: 'monthly-newsletter en', version: en, compileEachRecipients: COMPILE_EACH_RECIPIENTS.small },
    { label: '8-section newsletter en', version: parsed.version, compileEachRecipients: COMPILE_EACH_RECIPIENTS.large },
  ];
  const engines = createRenderingEngines();

  for (const subject of subjects) {
    const compiled = await compileTemplate(subject.version, engines);
    const html = (await renderPrecompiled(subject.version, sampleRecipients(1, subject.version.locale), engines))[0]?.html ?? '';
    await renderPrecompiled(subject.version, sampleRecipients(WARM_UP.precompiled, subject.version.locale), engines);
    await renderCompilingEach(subject.version, sampleRecipients(WARM_UP.compileEach, subject.version.locale), engines);
    const compile = await timed(now, () => compileTemplate(subject.version, engines));
    console.log(`${subject.label}: ${formatNumber(subject.version.mjml.length / 1024)} KB MJML -> ${formatNumber(html.length / 1024)} KB HTML; one compile ${formatNumber(compile.ms)} ms (${compiled.body.length} Liquid nodes)`);
  }

  const results = new Map<string, Measurement[]>(subjects.map((subject) => [subject.label, []]));
  const rows: string[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const subject of subjects) {
      // Tracking after the render side, once its thousands of rendered emails are garbage: a heap
      // holding them makes every collection slower and would tax whichever path allocates more.
      const rendering = await measure(subject, engines, round % 2 === 0);
      const tracking = await measureTracking(subject.label, await compileTemplate(subject.version, engines), sampleRecipients(TRACKED_RECIPIENTS, subject.version.locale), round % 2 === 0);
      const measurement: Measurement = { ...rendering, ...tracking };
      results.get(subject.label)?.push(measurement);
      rows.push([
        String(round),
        subject.label,
        formatMs(measurement.precompiledMsPerRecipient),
        formatMs(measurement.plainTextMsPerRecipient),
        formatMs(measurement.trackingMsPerRecipient),
        formatMs(measurement.trackingScanMsPerRecipient),
        formatMs(measurement.compileEachMsPerRecipient),
        `${formatNumber(speedup(measurement))} x`,
      ]);
    }
  }
  console.log('');
  for (const line of formatTable(['round', 'template', 'precompiled ms/recipient', 'of which plain text', '+ tracking ms/recipient', '+ tracking by scan', 'MJML per recipient ms/recipient', 'speedup'], rows)) console.log(`  ${line}`);

  const medianOf = (label: string): Measurement => {
    const measured = results.get(label) ?? [];
    return Object.fromEntries(MEASURED.map((key) => [key, median(measured.map((entry) => entry[key]))])) as unknown as Measurement;
  };
  const [jaResult, enResult, largeResult] = subjects.map((subject) => medianOf(subject.label)) as [Measurement, Measurement, Measurement];
  // The shipped newsletter's headline figures: ja and en recipients in equal numbers.
  const shipped = Object.fromEntries(MEASURED.map((key) => [key, (jaResult[key] + enResult[key]) / 2])) as unknown as Measurement;
  console.log(
    `\nmonthly-newsletter (ja+en): ${formatMs(shipped.precompiledMsPerRecipient)} ms per recipient precompiled vs ${formatMs(shipped.compileEachMsPerRecipient)} ms compiling MJML per recipient (the baseline) = ${formatNumber(speedup(shipped))} x faster` +
      `\n8-section newsletter: ${formatMs(largeResult.precompiledMsPerRecipient)} ms vs ${formatMs(largeResult.compileEachMsPerRecipient)} ms = ${formatNumber(speedup(largeResult))} x faster (medians of ${ROUNDS} rounds)` +
      `\nof which the plain-text part (converted from each recipient's HTML): ${formatMs(shipped.plainTextMsPerRecipient)} ms (monthly-newsletter), ${formatMs(largeResult.plainTextMsPerRecipient)} ms (8 sections)` +
      `\nclick and open tracking with links recorded by the render adds ${formatMs(shipped.trackingMsPerRecipient)} ms (monthly-newsletter) and ${formatMs(largeResult.trackingMsPerRecipient)} ms (8 sections) per recipient, ` +
      `against ${formatMs(shipped.trackingScanMsPerRecipient)} ms and ${formatMs(largeResult.trackingScanMsPerRecipient)} ms scanning each HTML (the baseline)` +
      `\nrender + tracking: ${formatMs(shipped.trackedMsPerRecipient)} ms vs ${formatMs(shipped.trackedScanMsPerRecipient)} ms scanning = ${formatNumber(trackedSpeedup(shipped))} x (monthly-newsletter), ` +
      `${formatMs(largeResult.trackedMsPerRecipient)} ms vs ${formatMs(largeResult.trackedScanMsPerRecipient)} ms = ${formatNumber(trackedSpeedup(largeResult))} x (8 sections)`,
  );

  return {
    'render.precompiled_ms_per_recipient': round4(shipped.precompiledMsPerRecipient),
    'render.mjml_per_recipient_ms_per_recipient': round4(shipped.compileEachMsPerRecipient),
    'render.speedup_vs_mjml_per_recipient': round1(speedup(shipped)),
    'render.speedup_vs_mjml_per_recipient_ja': round1(speedup(jaResult)),
    'render.speedup_vs_mjml_per_recipient_en': round1(speedup(enResult)),
    'render.precompiled_ms_per_recipient_8_sections': round4(largeResult.precompiledMsPerRecipient),
    'render.mjml_per_recipient_ms_per_recipient_8_sections': round4(largeResult.compileEachMsPerRecipient),
    'render.speedup_vs_mjml_per_recipient_8_sections': round1(speedup(largeResult)),
    'render.plain_text_ms_per_recipient': round4(shipped.plainTextMsPerRecipient),
    'render.plain_text_ms_per_recipient_8_sections': round4(largeResult.plainTextMsPerRecipient),
    'render.tracking_ms_per_recipient': round4(shipped.trackingMsPerRecipient),
    'render.tracking_ms_per_recipient_8_sections': round4(largeResult.trackingMsPerRecipient),
    'render.tracking_scan_ms_per_recipient': round4(shipped.trackingScanMsPerRecipient),
    'render.tracking_scan_ms_per_recipient_8_sections': round4(largeResult.trackingScanMsPerRecipient),
    'render.tracked_ms_per_recipient': round4(shipped.trackedMsPerRecipient),
    'render.tracked_ms_per_recipient_8_sections': round4(largeResult.trackedMsPerRecipient),
    'render.tracked_scan_ms_per_recipient': round4(shipped.trackedScanMsPerRecipient),
    'render.tracked_scan_ms_per_recipient_8_sections': round4(largeResult.trackedScanMsPerRecipient),
    'render.tracked_speedup_vs_scan': round1(trackedSpeedup(shipped)),
    'render.tracked_speedup_vs_scan_8_sections': round1(trackedSpeedup(largeResult)),
  };
}

/** One round for one template; `baselineFirst` alternates which side runs first. */
type TrackingFigures = Pick<Measurement, 'trackedMsPerRecipient' | 'trackedScanMsPerRecipient' | 'trackingMsPerRecipient' | 'trackingScanMsPerRecipient'>;

async function measure(subject: Subject, engines: RenderingEngines, baselineFirst: boolean): Promise<Omit<Measurement, keyof TrackingFigures>> {
  const { version } = subject;
  const precompiledRecipients = sampleRecipients(PRECOMPILED_RECIPIENTS, version.locale);
  const compileEachRecipients = sampleRecipients(subject.compileEachRecipients, version.locale);
  // renderPrecompiled includes its one compile, as the sender pays it once per process.
  const precompiled = () => timed(now, () => renderPrecompiled(version, precompiledRecipients, engines));
  const compileEach = () => timed(now, () => renderCompilingEach(version, compileEachRecipients, engines));
  const [ours, baseline] = baselineFirst ? await compileEach().then(async (first) => [await precompiled(), first] as const) : await precompiled().then(async (first) => [first, await compileEach()] as const);
  if (ours.value.length !== precompiledRecipients.length || baseline.value.length !== compileEachRecipients.length) {
    throw new RenderBenchError(`${subject.label}: rendered ${ours.value.length} and ${baseline.value.length} emails, expected ${precompiledRecipients.length} and ${compileEachRecipients.length}`);
  }
  // Both paths must produce the same email for the same recipient, or the comparison is moot.
  if (ours.value[0]?.html !== baseline.value[0]?.html) throw new RenderBenchError(`${subject.label}: the precompiled and per-recipient paths rendered different HTML for the same recipient`);
  const sample = ours.value.slice(0, PLAIN_TEXT_SAMPLE);
  const plainText = await timed(now, () => sample.map((email) => engines.plainText(email.html)));
  return {
    precompiledMsPerRecipient: ours.ms / precompiledRecipients.length,
    compileEachMsPerRecipient: baseline.ms / compileEachRecipients.length,
    plainTextMsPerRecipient: plainText.ms / sample.length,
  };
}

const SENT_AT = new Date('2026-12-02T01:00:00Z');

/**
 * The same recipients rendered plain, rendered and tracked as the sender does, and rendered and
 * tracked by scanning. Each email is dropped once made, as the sender drops it after sending:
 * keeping thousands of 50 KB emails would measure the garbage collector, not the work.
 */
async function measureTracking(label: string, compiled: CompiledTemplate, recipients: readonly RenderContext[], baselineFirst: boolean): Promise<TrackingFigures> {
  const email = (context: RenderContext, index: number) => ({ messageId: 'bench', runId: 'r1', contactId: `c${index}`, locale: compiled.locale, untracked: [context.links.unsubscribe, context.links.preferences] });
  const prepared = (context: RenderContext, index: number): TrackedEmail => {
    const rendered = renderEmail(compiled, context, { trackLinks: true });
    return trackEmail({ ...email(context, index), html: rendered.html, text: rendered.text, ...(rendered.preparedLinks ? { prepared: rendered.preparedLinks } : {}) }, TRACKING, SENT_AT);
  };
  const scanned = (context: RenderContext, index: number): TrackedEmail => {
    const rendered = renderEmail(compiled, context);
    return trackEmail({ ...email(context, index), html: rendered.html, text: rendered.text }, TRACKING, SENT_AT);
  };
  // Both ways must make the same email and link set, or the comparison is moot.
  for (const index of [0, recipients.length - 1]) {
    const context = recipients[index];
    if (context && JSON.stringify(prepared(context, index)) !== JSON.stringify(scanned(context, index))) {
      throw new RenderBenchError(`${label}: tracking with prepared links and tracking by scanning made different emails for recipient ${index}`);
    }
  }
  // The HTML's length is summed so no step can be optimised away.
  const each = (make: (context: RenderContext, index: number) => { html: string }) =>
    timed(now, () => recipients.reduce((size, context, index) => size + make(context, index).html.length, 0));
  const untracked = await each((context) => renderEmail(compiled, context));
  const [ours, baseline] = baselineFirst ? await each(scanned).then(async (first) => [await each(prepared), first] as const) : await each(prepared).then(async (first) => [first, await each(scanned)] as const);
  const perRecipient = (ms: number) => ms / recipients.length;
  return {
    trackedMsPerRecipient: perRecipient(ours.ms),
    trackedScanMsPerRecipient: perRecipient(baseline.ms),
    trackingMsPerRecipient: perRecipient(ours.ms - untracked.ms),
    trackingScanMsPerRecipient: perRecipient(baseline.ms - untracked.ms),
  };
}

const speedup = (measurement: Measurement) => measurement.compileEachMsPerRecipient / measurement.precompiledMsPerRecipient;
const trackedSpeedup = (measurement: Measurement) => measurement.trackedScanMsPerRecipient / measurement.trackedMsPerRecipient;
const formatMs = (ms: number) => ms.toFixed(ms < 1 ? 4 : 2);


