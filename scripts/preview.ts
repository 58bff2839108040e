/**
 * `npm run preview -- <message> (<contact-id> | --sample ja|en) [--out dir]`: renders an email
 * the way a recipient gets it and writes `<out>/<message>-<locale>.html` and `.txt`
 * (default out: .local/preview), printing the paths and the subject.
 *
 * "The way a recipient gets it" means exactly what the sender sends: the same render context
 * (renderContextOf), the recipient's signed unsubscribe and preference links (recipientLinksOf)
 * and the same click and open tracking (trackEmail), so tracked links and the open pixel are
 * there. For a contact, links point at the local app and are signed with its key, so they work
 * against `npm start` (nothing is stored: a click on a tracked link finds no saved link set);
 * for `--sample`, they point at mail.example.com.
 *
 * <message> is a campaign id, `sequence-id:step-id`, or `webinar-policy-id:confirmation`
 * (also `:reminder-24h`, `:attendees`, `:no-shows`); a sequence or policy id alone previews all
 * of its emails. The language is chosen as for a real send: the recipient's locale if the message
 * is written in it, else the message's fallbackLocale. Reads config; sends nothing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { defaultConfigLocation, loadConfigDirectory } from '../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { formatProblem } from '../core/config/problems.ts';
import { localeSchema } from '../core/config/schema/common.ts';
import { chooseLocale } from '../core/rendering/choose-locale.ts';
import { listMessageTemplates, type MessageTemplate } from '../core/rendering/message-templates.ts';
import { renderContextOf, renderContextSchema, senderContextOf, type RenderContext, type RenderLinks } from '../core/rendering/render-context.ts';
import { renderEmail } from '../core/rendering/render-email.ts';
import { sampleRenderContext } from '../core/rendering/sample-render-context.ts';
import { TemplateCompiler } from '../core/rendering/template-compiler.ts';
import { TemplateCompileError, TemplateRenderError } from '../core/rendering/template-failure.ts';
import { recipientLinksOf } from '../core/sending/send-emails.ts';
import { trackEmail, type TrackingLinkSettings } from '../core/tracking/track-email.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { localSecret } from '../local/local-secret.ts';
import { withLocalStore } from '../local/local-store-session.ts';
import { CommandLineError, HelpRequested, parseCommandLine } from '../local/command-line.ts';

/** A preview is not a campaign run: its tokens name this run id. */
const PREVIEW_RUN_ID = 'preview';

/** Who the email is rendered for and how its links are signed. */
interface PreviewRecipient {
  contactId: string;
  /** Base URL and signing key of the links, as the sender would use them. */
  links: TrackingLinkSettings;
  context: (message: MessageTemplate, links: RenderLinks) => RenderContext;
}

/**
 * The recipient `<contact-id>`, read from the local runtime's table (contact, account), at the
 * current time; links are the local app's, signed with its key; webinar emails use the sample webinar.
 */
async function contactRecipient(contactId: string, rootDir: string, config: EngineConfig): Promise<PreviewRecipient> {
  const { settings } = parseCommandLine(PREVIEW_COMMAND, process.argv.slice(2), process.env, rootDir);
  const found = await withLocalStore(settings, process.env, async (store) => {
    const contact = await store.customers.getContact(contactId);
    const account = contact ? await store.customers.getAccount(contact.accountId) : undefined;
    return contact && account ? { contact, account } : undefined;
  });
  if (!found) throw new UsageError(`no contact '${contactId}' in the local table (npm start loads the demo customers; ids look like con-00001)`);
  const { contact, account } = found;
  return {
    contactId,
    links: { baseUrl: `http://127.0.0.1:${settings.enginePort}`, tokenSecret: await localSecret(resolve(rootDir, settings.dataDir), 'link-secret', process.env.LINK_SECRET) },
    context: (message, links) =>
      renderContextOf({
        contact,
        account,
        links,
        // Replaced by the message's own sender below, once the email's locale is known.
        sender: sampleRenderContext(contact.locale, 'none').sender,
        now: systemClock.now(),
        attributes: config.attributes,
        ...(message.webinar === 'none' ? {} : { webinar: sampleRenderContext(contact.locale, message.webinar).webinar }),
      }),
  };
}

function sampleRecipient(locale: string, config: EngineConfig): PreviewRecipient {
  const parsed = localeSchema.safeParse(locale);
  if (!parsed.success) throw new UsageError(`--sample: ${parsed.error.issues[0]?.message}`);
  return {
    contactId: `sample-${parsed.data}`,
    links: { baseUrl: 'https://mail.example.com', tokenSecret: 'preview-sample-key' },
    context: (message, links) => ({ ...sampleRenderContext(parsed.data, message.webinar, config.attributes), links }),
  };
}

class UsageError extends Error {}

const USAGE = 'usage: npm run preview -- <campaign-or-sequence-id>[:stepId] (<contact-id> | --sample ja|en) [--out dir] (--help for the options)';

const PREVIEW_COMMAND = {
  usage: 'npm run preview -- <message> (<contact-id> | --sample ja|en) [options]',
  summary: 'Renders an email the way a recipient gets it (tracked links, open pixel) to <out>/<message>-<locale>.html and .txt. Sends nothing.',
  options: { sample: { type: 'string' }, out: { type: 'string' }, root: { type: 'string' } },
  optionHelp: { sample: 'render for a sample recipient in this locale (ja, en) instead of a contact', out: 'output folder (default .local/preview)', root: 'project folder holding campaigns/ and templates/ (default: the working folder)' },
} as const;

async function main(): Promise<void> {
  const { values, positionals } = parseCommandLine(PREVIEW_COMMAND, process.argv.slice(2), process.env, process.cwd());
  const [messageArg, contactId, ...extra] = positionals;
  if (!messageArg || extra.length > 0 || (contactId === undefined) === (values.sample === undefined)) throw new UsageError(USAGE);
  const rootDir = resolve(values.root ?? process.cwd());
  const outDir = resolve(rootDir, values.out ?? '.local/preview');
  const result = await loadConfigDirectory(defaultConfigLocation(rootDir));
  if (!result.ok) {
    for (const problem of result.problems) console.error(formatProblem(problem));
    throw new UsageError(`the config has ${result.problems.length} problem(s): run npm run validate`);
  }
  const { config } = result;
  const recipient = values.sample === undefined ? await contactRecipient(contactId as string, rootDir, config) : sampleRecipient(values.sample, config);
  const messages = selectMessages(config, messageArg);
  await mkdir(outDir, { recursive: true });
  const compiler = new TemplateCompiler(config.templates);
  for (const message of messages) {
    const ref = { messageId: message.messageId, runId: PREVIEW_RUN_ID, contactId: recipient.contactId };
    const links = recipientLinksOf(ref, recipient.links);
    const recipientContext = renderContextSchema.parse(recipient.context(message, links));
    const versions = config.templates.get(message.templateId) ?? new Map();
    const locale = chooseLocale(recipientContext.contact.locale, message, versions);
    const identity = config.senders.identities.find((candidate) => candidate.id === message.senderId);
    const context = identity ? { ...recipientContext, sender: senderContextOf(identity, locale) } : recipientContext;
    const email = renderEmail(await compiler.compile(message.templateId, locale), context);
    // The sender's tracking step, as composeEmail calls it: click URLs and the open pixel.
    const tracked = trackEmail({ ...ref, locale, html: email.html, text: email.text, untracked: [links.unsubscribe, links.preferences] }, recipient.links, new Date(context.now));
    const base = join(outDir, `${message.messageId.replace(/:/g, '.')}-${locale}`);
    await writeFile(`${base}.html`, tracked.html);
    await writeFile(`${base}.txt`, tracked.text);
    const fallback = locale === context.contact.locale ? '' : ` (fallback: the recipient's locale is ${context.contact.locale})`;
    console.log(`${message.messageId} [${locale}]${fallback} template ${message.templateId}`);
    console.log(`  subject: ${email.subject}`);
    console.log(`  tracked links: ${tracked.links?.links.length ?? 0}, open pixel included`);
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
  if (error instanceof HelpRequested) {
    console.log(error.message);
    process.exit(0);
  }
  if (error instanceof UsageError || error instanceof CommandLineError) console.error(error.message);
  else if (error instanceof TemplateCompileError) for (const failure of error.failures) console.error(`${error.file}: ${failure.part}: ${failure.message}`);
  else if (error instanceof TemplateRenderError) console.error(`${error.file}: ${error.failure.part}: ${error.failure.message}`);
  else throw error;
  process.exit(1);
}
