/**
 * Compiles each (template, locale) of a config at most once per process and hands out the
 * result: compile is async (MJML), rendering from the cached CompiledTemplate is sync.
 * Concurrent requests for the same version share one compile; a failed compile stays failed
 * (the source does not change while the process runs).
 */
import type { EngineConfig } from '../config/engine-config.ts';
import type { Locale } from '../config/schema/common.ts';
import { chooseLocale, type MessageLocales } from './choose-locale.ts';
import { compileTemplate, type CompiledTemplate } from './compile-template.ts';
import { createRenderingEngines, type RenderingEngines } from './rendering-engines.ts';

/** No version of that template in that locale: a config the builder would have rejected. */
export class UnknownTemplateVersionError extends Error {
  constructor(
    readonly templateId: string,
    readonly locale: Locale,
  ) {
    super(`template '${templateId}' has no ${locale} version`);
    this.name = 'UnknownTemplateVersionError';
  }
}

export class TemplateCompiler {
  private readonly compiled = new Map<string, Promise<CompiledTemplate>>();

  constructor(
    private readonly templates: EngineConfig['templates'],
    private readonly engines: RenderingEngines = createRenderingEngines(),
  ) {}

  /** How many versions have been compiled (or are compiling): each once, whatever the recipients. */
  get size(): number {
    return this.compiled.size;
  }

  compile(templateId: string, locale: Locale): Promise<CompiledTemplate> {
    const key = `${templateId}/${locale}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      const version = this.templates.get(templateId)?.get(locale);
      if (!version) return Promise.reject(new UnknownTemplateVersionError(templateId, locale));
      compiled = compileTemplate(version, this.engines);
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  /** The version a contact of `contactLocale` receives for a message (see chooseLocale). */
  compileFor(templateId: string, message: MessageLocales, contactLocale: Locale): Promise<CompiledTemplate> {
    const versions = this.templates.get(templateId) ?? new Map<Locale, never>();
    return this.compile(templateId, chooseLocale(contactLocale, message, versions));
  }
}
