/**
 * `npm run preview -- <message> (<contact-id> | --sample ja|en) [--out dir]`: renders an email
 * the way a recipient gets it and writes `<out>/<message>-<locale>.html` and `.txt`
 * (default out: .local/preview), printing the paths and the subject.
 *
 * <message> is a campaign id, `sequence-id:step-id`, or `webinar-policy-id:confirmation`
 * (also `:reminder-24h`, `:attendees`, `:no-shows`); a sequence or policy id alone previews all
 * of its emails. The language is chosen as for a real send: the recipient's locale if the message
 * is written in it, else the message's fallbackLocale. Reads config; sends nothing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfigLocation, loadConfigDirectory } from '../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { formatProblem } from '../core/config/problems.ts';
import { localeSchema } from '../core/config/schema/common.ts';
import { chooseLocale } from '../core/rendering/choose-locale.ts';
import { listMessageTemplates, type MessageTemplate } from '../core/rendering/message-templates.ts';
import { renderContextSchema, type RenderContext } from '../core/rendering/render-context.ts';
import { renderEmail } from '../core/rendering/render-email.ts';
import { sampleRenderContext } from '../core/rendering/sample-render-context.ts';
import { TemplateCompiler } from '../core/rendering/template-compiler.ts';
import { TemplateCompileError, TemplateRenderError } from '../core/rendering/template-failure.ts';
import { withLocalStore } from '../local/local-store-session.ts';
import { readLocalSettings } from '../local/settings.ts';

/** Who the email is rendered for; called once per previewed email. */
type RenderContextProvider = (message: MessageTemplate) => Promise<RenderContext>;

/**
 * The recipient for `<contact-id>`, read from the local runtime's table (contact, account); links
 * are the local app's; webinar emails use the sample webinar.
 */
async function contactRenderContext(contactId: string, rootDir: string): Promise<RenderContextProvider> {
  const settings = readLocalSettings([], process.env, rootDir);
  const found = await withLocalStore(settings, process.env, async (store) => {
    const contact = await store.customers.getContact(contactId);
    const account = contact ? await store.customers.getAccount(contact.accountId) : undefined;
    return contact && account ? { contact, account } : undefined;
  });
  if (!found) throw new UsageError(`no contact '${contactId}' in the local table (npm start loads the demo customers; ids look like con-00001)`);
  const { contact, account } = found;
  const links = `http://127.0.0.1:${settings.enginePort}`;
  return async (message) => ({
    contact: { firstName: contact.firstName, lastName: contact.lastName, email: contact.email, locale: contact.locale },
    account: { name: account.name, plan: account.plan },
    links: { unsubscribe: `${links}/u/preview`, preferences: `${links}/p/preview` },
    ...(message.webinar === 'none' ? {} : { webinar: sampleRenderContext(contact.locale, message.webinar).webinar }),
  });
}

function sampleRecipient(locale: string): RenderContextProvider {
  const parsed = localeSchema.safeParse(locale);
  if (!parsed.success) throw new UsageError(`--sample: ${parsed.error.issues[0]?.message}`);
  return async (message) => sampleRenderContext(parsed.data, message.webinar);
}

class UsageError extends Error {}

const USAGE = 'usage: npm run preview -- <campaign-or-sequence-id>[:stepId] (<contact-id> | --sample ja|en) [--out dir]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { sample: { type: 'string' }, out: { type: 'string' }, root: { type: 'string' } },
  });
  const [messageArg, contactId, ...extra] = positionals;
  if (!messageArg || extra.length > 0 || (contactId === undefined) === (values.sample === undefined)) throw new UsageError(USAGE);
  const rootDir = resolve(values.root ?? process.cwd());
  const outDir = resolve(rootDir, values.out ?? '.local/preview');
  const provider = values.sample === undefined ? await contactRenderContext(contactId as string, rootDir) : sampleRecipient(values.sample);

  const result = await loadConfigDirectory(defaultConfigLocation(rootDir));
  if (!result.ok) {
    for (const problem of result.problems) console.error(formatProblem(problem));
    throw new UsageError(`the config has ${result.problems.length} problem(s): run npm run validate`);
  }
  const messages = selectMessages(result.config, messageArg);
  await mkdir(outDir, { recursive: true });
  const compiler = new TemplateCompiler(result.config.templates);
  for (const message of messages) {
    const context = renderContextSchema.parse(await provider(message));
    const versions = result.config.templates.get(message.templateId) ?? new Map();
    const locale = chooseLocale(context.contact.locale, message, versions);
    const email = renderEmail(await compiler.compile(message.templateId, locale), context);
    const base = join(outDir, `${message.messageId.replace(/:/g, '.')}-${locale}`);
    await writeFile(`${base}.html`, email.html);
    await writeFile(`${base}.txt`, email.text);
    const fallback = locale === context.contact.locale ? '' : ` (fallback: the recipient's locale is ${context.contact.locale})`;
    console.log(`${message.messageId} [${locale}]${fallback} template ${message.templateId}`);
    console.log(`  subject: ${email.subject}`);
    console.log(`  ${shown(`${base}.html`)}`);
    console.log(`  ${shown(`${base}.txt`)}`);
  }
}

/** Relative to the working directory when inside it, else absolute. */
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}

/** The messages `arg` names: one email, or every email of a sequence or webinar policy. */
function selectMessages(config: EngineConfig, arg: string): MessageTemplate[] {
  const all = listMessageTemplates(config);
  const exact = all.filter((message) => message.messageId === arg);
  const selected = exact.length > 0 ? exact : all.filter((message) => message.messageId.startsWith(`${arg}:`));
  if (selected.length === 0) {
    throw new UsageError(`no email '${arg}'; known: ${all.map((message) => message.messageId).join(', ')}`);
  }
  return selected;
}

try {
  await main();
} catch (error) {
  if (error instanceof UsageError) console.error(error.message);
  else if (error instanceof TemplateCompileError) for (const failure of error.failures) console.error(`${error.file}: ${failure.part}: ${failure.message}`);
  else if (error instanceof TemplateRenderError) console.error(`${error.file}: ${error.failure.part}: ${error.failure.message}`);
  else throw error;
  process.exit(1);
}
