/**
 * `npm run validate`'s render check: every template version of the config (used by a message or
 * not) is compiled and rendered against sample recipients: in its locale, on each plan the
 * config targets (so plan-specific branches are exercised), with the webinar data that exists
 * when each message using it goes out, for an online and an in-person session (so a template
 * that reads a join link or a venue the session may not have fails here, not at send). An MJML error, a Liquid syntax error, a lost Liquid tag,
 * an unknown filter, a variable the recipient data does not have, a plain-text part that does
 * not say what the HTML says, or an email that renders differently twice for one recipient
 * becomes a ConfigProblem on the template file (with its line when known), naming the config
 * that uses it. Every problem of every template is reported; nothing stops the check early.
 */
import type { EngineConfig } from '../config/engine-config.ts';
import type { ConfigProblem } from '../config/problems.ts';
import { LOCALES, type Locale } from '../config/schema/common.ts';
import type { CompiledTemplate } from './compile-template.ts';
import { listMessageTemplates, type WebinarStage } from './message-templates.ts';
import { brokenTextProblems, legalContentProblems } from './legal-content.ts';
import { senderContextOf, type RenderContext, type SenderInContext } from './render-context.ts';
import { renderEmail, type RenderedEmail } from './render-email.ts';
import { SAMPLE_SESSIONS, sampleRenderContext, type SampleSession, type SampleWebinarStage } from './sample-render-context.ts';
import { TemplateCompiler } from './template-compiler.ts';
import { TemplateCompileError, TemplateRenderError, type TemplateFailure } from './template-failure.ts';
import { firstWordMissingFromText } from './visible-text.ts';

/** What a template version is rendered with: the webinar stages of the messages using it, and who uses it. */
interface VersionUse {
  stages: Set<WebinarStage>;
  usedBy: Set<string>;
  /** Sender identities the messages using it go out as: their name and address fill the footer. */
  senderIds: Set<string>;
  /** Whether messages using it ask a survey (`survey.*` exists), each way it is used. */
  surveys: Set<boolean>;
}

export async function validateTemplatesRender(config: EngineConfig, compiler = new TemplateCompiler(config.templates)): Promise<ConfigProblem[]> {
  const found = new ProblemList();
  const uses = new Map<string, VersionUse>();
  for (const use of listMessageTemplates(config)) {
    for (const locale of use.locales) {
      if (!config.templates.get(use.templateId)?.get(locale)) {
        found.add({ file: use.file, path: use.path, message: `template '${use.templateId}' has no ${locale} version, but ${locale} is in locales` });
        continue;
      }
      const key = `${use.templateId}/${locale}`;
      const entry = uses.get(key) ?? { stages: new Set<WebinarStage>(), usedBy: new Set<string>(), senderIds: new Set<string>(), surveys: new Set<boolean>() };
      entry.stages.add(use.webinar);
      entry.surveys.add(use.surveyId !== undefined);
      entry.usedBy.add(use.file);
      entry.senderIds.add(use.senderId);
      uses.set(key, entry);
    }
  }
  const plans = targetedPlans(config);

  for (const [templateId, versions] of config.templates) {
    for (const [locale, version] of versions) {
      const use = uses.get(`${templateId}/${locale}`);
      const usedBy = [...(use?.usedBy ?? [])];
      const report = (failure: TemplateFailure) => found.add({ file: version.file, path: failure.part, message: failure.message, ...(failure.line === undefined ? {} : { line: failure.line }) }, usedBy);
      let compiled: CompiledTemplate;
      try {
        compiled = await compiler.compile(templateId, locale);
      } catch (error) {
        for (const failure of templateFailures(error)) report(failure);
        continue;
      }
      // A template no message uses yet is rendered with every piece of data a message can have.
      const stages: SampleWebinarStage[] = use ? [...use.stages] : ['any'];
      const senders = config.senders.identities.filter((identity) => (use ? use.senderIds.has(identity.id) : identity === config.senders.identities[0]));
      // Likewise with a survey's answer links, which only messages that ask a survey have.
      const surveys: boolean[] = use ? [...use.surveys] : [true];
      for (const stage of stages) {
        for (const session of stage === 'none' ? (['online'] as const) : SAMPLE_SESSIONS) {
          for (const sender of senders) {
            for (const survey of surveys) {
              for (const recipient of sampleRecipients(locale, stage, session, plans, config, senderContextOf(sender, locale), survey)) {
                for (const failure of renderFailures(compiled, recipient)) report(failure);
              }
            }
          }
        }
      }
    }
  }
  return found.problems();
}

/**
 * The sample recipient of `locale` on each plan (their own first), so each plan branch renders;
 * then the same recipient with empty names and with names and a company ending in a period, as
 * CRMs hold them, so a greeting or a sentence those would break ("Hello ,", a bare 様, "Co..") is found.
 */
function sampleRecipients(locale: Locale, stage: SampleWebinarStage, session: SampleSession, plans: readonly string[], config: EngineConfig, sender: SenderInContext, survey: boolean): RenderContext[] {
  const sample = { ...sampleRenderContext(locale, stage, config.attributes, session, survey), sender };
  const others = plans.filter((plan) => plan !== sample.account.plan);
  return [
    sample,
    ...others.map((plan) => ({ ...sample, account: { ...sample.account, plan } })),
    { ...sample, contact: { ...sample.contact, firstName: '', lastName: '' } },
    { ...sample, contact: { ...sample.contact, firstName: 'J.', lastName: 'Smith Jr.' }, account: { ...sample.account, name: 'Acme Holdings Co., Ltd.' } },
  ];
}

/** Every plan an audience of the config selects, plus the sample recipients' own. */
function targetedPlans(config: EngineConfig): string[] {
  const plans = new Set<string>(LOCALES.map((locale) => sampleRenderContext(locale, 'none').account.plan));
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'plans' && Array.isArray(inner)) inner.filter((plan): plan is string => typeof plan === 'string').forEach((plan) => plans.add(plan));
        else visit(inner);
      }
    }
  };
  visit([config.campaigns, config.sequences]);
  return [...plans].sort();
}

/** Renders one recipient twice; says what is wrong with the email, if anything. */
function renderFailures(compiled: CompiledTemplate, recipient: RenderContext): TemplateFailure[] {
  let first: RenderedEmail;
  let second: RenderedEmail;
  try {
    first = renderEmail(compiled, recipient);
    second = renderEmail(compiled, recipient);
  } catch (error) {
    return [...templateFailures(error)];
  }
  const failures: TemplateFailure[] = [];
  const names = [recipient.contact.firstName, recipient.contact.lastName].filter(Boolean).join(' ');
  const session = recipient.webinar === undefined ? '' : recipient.webinar.venue === undefined ? ', online session' : ', in-person session';
  const who = `(sample ${recipient.contact.locale} contact ${names === '' ? 'with empty names' : `'${names}'`} of '${recipient.account.name}' on plan '${recipient.account.plan}'${session})`;
  if (first.html !== second.html || first.text !== second.text || first.subject !== second.subject) {
    failures.push({ part: 'body (html)', message: `renders differently each time for the same recipient ${who}: the template must not depend on state left by an earlier render` });
  }
  for (const problem of legalContentProblems(first, { unsubscribeUrl: recipient.links.unsubscribe, organization: recipient.sender.organization, postalAddress: recipient.sender.postalAddress })) {
    failures.push({ part: 'body (legal)', message: problem });
  }
  for (const problem of brokenTextProblems(first)) failures.push({ part: 'body', message: `${problem} ${who}` });
  const missing = firstWordMissingFromText(first.html, first.text);
  if (missing) {
    failures.push({
      part: 'body (text)',
      message: `the plain-text part lacks '${missing.word}'${missing.after === '' ? '' : ` (after '${missing.after}')`}, which the HTML shows ${who}: both parts must say the same`,
    });
  }
  return failures;
}

/** Every failure an error stands for; an unexpected error becomes a failure too, never a stop. */
function templateFailures(error: unknown): readonly TemplateFailure[] {
  if (error instanceof TemplateCompileError) return error.failures;
  if (error instanceof TemplateRenderError) return [error.failure];
  return [{ part: 'body', message: `unexpected error while compiling or rendering: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` }];
}

/** One problem per template file, part, message and line, listing every config file that uses it. */
class ProblemList {
  private readonly entries = new Map<string, { problem: ConfigProblem; usedBy: Set<string> }>();

  add(problem: ConfigProblem, usedBy: readonly string[] = []): void {
    const key = `${problem.file}\n${problem.path}\n${problem.message}\n${problem.line ?? ''}`;
    const entry = this.entries.get(key) ?? { problem, usedBy: new Set<string>() };
    for (const file of usedBy) entry.usedBy.add(file);
    this.entries.set(key, entry);
  }

  /** Sorted by file, part and line, so the output reads file by file. */
  problems(): ConfigProblem[] {
    return [...this.entries.values()]
      .map(({ problem, usedBy }) => (usedBy.size === 0 ? problem : { ...problem, message: `${problem.message} (used by ${[...usedBy].sort().join(', ')})` }))
      .sort((a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
  }
}
