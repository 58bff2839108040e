/**
 * What the rendering benchmark compares, and a small timer for it: compiling MJML once and
 * rendering every recipient from the compiled template (what the sender does), against
 * compiling MJML again for each recipient (the baseline). The clock is passed in, as
 * everywhere in the core (e.g. `() => performance.now()`).
 */
import type { Locale } from '../config/schema/common.ts';
import type { TemplateVersion } from '../config/template-source.ts';
import { compileTemplate } from './compile-template.ts';
import type { RenderContext } from './render-context.ts';
import { renderEmail, type RenderedEmail } from './render-email.ts';
import { createRenderingEngines, type RenderingEngines } from './rendering-engines.ts';
import { sampleRenderContext } from './sample-render-context.ts';

/** `count` distinct recipients based on the sample one (names and links differ per recipient). */
export function sampleRecipients(count: number, locale: Locale): RenderContext[] {
  const base = sampleRenderContext(locale);
  return Array.from({ length: count }, (_, index) => ({
    ...base,
    contact: { ...base.contact, firstName: `${base.contact.firstName}${index}`, email: `recipient-${index}@example.com` },
    links: {
      unsubscribe: `${base.links.unsubscribe}-${index}`,
      preferences: `${base.links.preferences}-${index}`,
    },
  }));
}

/** Compiles once, renders each recipient: the production path. */
export async function renderPrecompiled(version: TemplateVersion, recipients: readonly RenderContext[], engines: RenderingEngines = createRenderingEngines()): Promise<RenderedEmail[]> {
  const compiled = await compileTemplate(version, engines);
  return recipients.map((recipient) => renderEmail(compiled, recipient));
}

/** Compiles MJML and Liquid again for every recipient: the baseline the cache is measured against. */
export async function renderCompilingEach(version: TemplateVersion, recipients: readonly RenderContext[], engines: RenderingEngines = createRenderingEngines()): Promise<RenderedEmail[]> {
  const emails: RenderedEmail[] = [];
  for (const recipient of recipients) emails.push(renderEmail(await compileTemplate(version, engines), recipient));
  return emails;
}

/** Runs `work` and says how many milliseconds it took on `now`'s clock. */
export async function timed<T>(now: () => number, work: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const start = now();
  const value = await work();
  return { ms: now() - start, value };
}

export interface RenderTiming {
  recipients: number;
  /** One compile (MJML + Liquid parse), after a warm-up compile. */
  compileMs: number;
  /** Per recipient, rendering from a precompiled template (Liquid + plain text). */
  precompiledMsPerRecipient: number;
  /** Per recipient, compiling for every recipient. */
  compileEachMsPerRecipient: number;
}

export async function timeRendering(version: TemplateVersion, recipients: readonly RenderContext[], now: () => number): Promise<RenderTiming> {
  const engines = createRenderingEngines();
  await renderPrecompiled(version, recipients.slice(0, 20), engines); // warm up the JIT and mjml's lazy loads
  const compile = await timed(now, () => compileTemplate(version, engines));
  const render = await timed(now, () => recipients.map((recipient) => renderEmail(compile.value, recipient)));
  const compileEach = await timed(now, () => renderCompilingEach(version, recipients, engines));
  const perRecipient = (ms: number) => (recipients.length === 0 ? 0 : ms / recipients.length);
  return {
    recipients: recipients.length,
    compileMs: compile.ms,
    precompiledMsPerRecipient: perRecipient(render.ms),
    compileEachMsPerRecipient: perRecipient(compileEach.ms),
  };
}
