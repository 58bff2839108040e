/**
 * `npm run ses-event -- <type> (--message-id <id> | --contact <id> --campaign <id> [--run <id>])
 * [--at <ISO time>] [--without-tags] [--twice]`: replays an SES event for an email the local
 * runtime really sent, because the local SES emulator publishes none. The event is built in the
 * shape SES publishes to EventBridge and goes through the same use case as the Lambda handler:
 * `bounce` suppresses the address, `soft-bounce` does not, `--twice` shows a redelivery changing
 * nothing, `--without-tags` joins by message id instead of the email's tags.
 *
 * <type>: send, delivery, bounce (permanent), soft-bounce (transient), undetermined-bounce,
 * complaint, reject, delivery-delay, rendering-failure. Without --run, the campaign's latest run
 * that emailed the contact is used. Reads and writes the local runtime's table.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { Store } from '../core/ports.ts';
import type { Send } from '../core/sending/send.ts';
import { ingestSesEvent, type SesEventOutcome } from '../core/tracking/ses-events/record-ses-event.ts';
import { buildSesEventBridgeEvent, senderTagsOf, SIMULATED_SES_EVENTS, type SimulatedSesEvent } from '../core/tracking/ses-events/ses-event-builder.ts';
import { localSecret } from '../local/local-secret.ts';
import { withLocalStore } from '../local/local-store-session.ts';
import { CommandLineError, HelpRequested, parseCommandLine } from '../local/command-line.ts';
import { engagementRecorderOf } from '../core/scoring/record-engagement.ts';
import { reputationGuardOf } from '../core/sending/reputation-guard.ts';

const USAGE = `usage: npm run ses-event -- <${SIMULATED_SES_EVENTS.join('|')}> (--message-id <id> | --contact <id> --campaign <id> [--run <id>]) [--at <ISO time>] [--without-tags] [--twice]`;

class UsageError extends Error {}

const OPTIONS = {
  'message-id': { type: 'string' },
  contact: { type: 'string' },
  campaign: { type: 'string' },
  run: { type: 'string' },
  at: { type: 'string' },
  'without-tags': { type: 'boolean' },
  twice: { type: 'boolean' },
} as const;

async function main(): Promise<void> {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const { values, positionals, settings } = parseCommandLine(
    {
      usage: USAGE.replace(/^usage: /, ''),
      summary: 'Replays an SES event for an email the local runtime sent, through the same use case as the Lambda handler.',
      options: OPTIONS,
      optionHelp: {
        'message-id': "the email's SES message id",
        contact: 'the contact the email went to (with --campaign)',
        campaign: 'the campaign or sequence of the email (with --contact)',
        run: 'the campaign run (default: the latest that emailed the contact)',
        at: 'when the event happened (default: now, never before the email was sent)',
        'without-tags': "join the event by SES message id instead of the email's tags",
        twice: 'deliver the event twice, as a redelivery would',
      },
    },
    process.argv.slice(2),
    process.env,
    projectRoot,
  );
  const [typeArg, ...extra] = positionals;
  if (!typeArg || extra.length > 0 || !isSimulated(typeArg)) throw new UsageError(USAGE);
  const byMessage = values['message-id'];
  if ((byMessage === undefined) === (values.contact === undefined || values.campaign === undefined)) throw new UsageError(`give --message-id, or --contact and --campaign\n${USAGE}`);
  const givenAt = values.at ? new Date(values.at) : undefined;
  if (givenAt && Number.isNaN(givenAt.getTime())) throw new UsageError(`--at: expected an ISO time like 2026-12-02T10:05:00+09:00, got '${values.at}'`);

  // The topics decide which SES topic opt-outs apply; the events replayed here never carry one, but the use case is the handler's.
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
  const { topics, scoring } = config;

  // The local engine's link secret signs the replayed tags, as the sender signed the email's.
  const tagSecret = await localSecret(settings.dataDir, 'link-secret', process.env.LINK_SECRET);

  await withLocalStore(settings, process.env, async (store, session) => {
    const send = byMessage ? await store.sends.findSendByMessageId(byMessage) : await findSend(store, values.contact as string, values.campaign as string, values.run);
    if (!send) throw new UsageError(byMessage ? `no send with SES message id '${byMessage}' in table ${settings.tableName}` : `no send of '${values.campaign}' to '${values.contact}'${values.run ? ` in run '${values.run}'` : ''} in table ${settings.tableName}`);
    if (send.state !== 'sent' || !send.messageId || !send.sentAt) throw new UsageError(`that send is '${send.state}'${send.reason ? ` (${send.reason})` : ''}: SES never took it, so it has no events`);
    const contact = await store.customers.getContact(send.contactId);
    if (!contact) throw new UsageError(`contact '${send.contactId}' of that send is not in the table`);

    const sentAt = new Date(send.sentAt);
    // Now, but never before the email left: the demo's virtual clock sends in the future.
    const at = givenAt ?? new Date(Math.max(Date.now(), sentAt.getTime() + 3_000));
    const event = buildSesEventBridgeEvent(typeArg, { messageId: send.messageId, email: contact.email, tags: values['without-tags'] ? {} : senderTagsOf(send, { withAccount: true, signWith: tagSecret }), sentAt }, at);
    // The handler's one engagement path: the event is recorded with its score moves.
    const engagement = { ...engagementRecorderOf(store, scoring, { now: () => new Date() }), recordUnplacedSesEvent: store.engagement.recordUnplacedSesEvent.bind(store.engagement) };
    const deps = { sends: store.sends, engagement, suppressions: store.suppressions, customers: store.customers, topics, tagSecret };
    for (let delivery = 1; delivery <= (values.twice ? 2 : 1); delivery++) {
      console.log(`${values.twice ? `delivery ${delivery}: ` : ''}${describe(typeArg, send, await ingestSesEvent(event, deps))}`);
    }
    // Its KPI counts move from the table's stream, and the reputation guard runs there, as in AWS: a
    // bounce or complaint that takes a rate over guardrails.reputation pauses sending.
    const counted = await session.countKpis(reputationGuardOf(store, config, { now: () => new Date() }));
    if (counted === undefined) console.log('  counted by the running engine (its KPI stream consumer, which also runs the reputation auto-pause: see its log)');
    else console.log(autoPausedText(counted.flatMap((outcome) => outcome.autoPaused)).trimStart() || '  counted');
  });
}

async function findSend(store: Store, contactId: string, campaignId: string, runId: string | undefined): Promise<Send | undefined> {
  if (runId) return store.sends.getSend(campaignId, runId, contactId);
  const runs = (await store.campaignRuns.listRuns(campaignId)).sort((a, b) => b.runId.localeCompare(a.runId));
  if (runs.length === 0) throw new UsageError(`'${campaignId}' has no campaign runs in the table; for a sequence step give --run <stepId>-<enrolledAt> or --message-id`);
  for (const run of runs) {
    const send = await store.sends.getSend(campaignId, run.runId, contactId);
    if (send) return send;
  }
  return undefined;
}

/** One line per delivery; ids only, never the address. */
function describe(type: SimulatedSesEvent, send: Send, outcome: SesEventOutcome): string {
  const about = `${type} for ${send.contactId} (${send.campaignId} / ${send.runId}, SES message ${send.messageId})`;
  switch (outcome.outcome) {
    case 'recorded':
      return `${about}: recorded as ${outcome.eventId}, joined by ${outcome.joinedBy}${outcome.suppressed > 0 ? '; the address is now suppressed' : ''}`;
    case 'duplicate':
      return `${about}: already recorded (${outcome.eventId}): nothing written`;
    case 'unknown-message':
      return `${about}: no send found for it: dropped`;
    case 'unplaced':
      return `${about}: no send found for it: ${outcome.suppressed} address(es) newly suppressed, filed under ${outcome.contactIds.join(', ') || 'no contact'}${outcome.unknownRecipients > 0 ? `, ${outcome.unknownRecipients} kept unplaced` : ''}`;
    case 'unsubscribed':
      return `${about}: unsubscribed (${outcome.scope}${outcome.topics.length > 0 ? `: ${outcome.topics.join(', ')}` : ''})`;
    case 'ignored':
      return `${about}: ignored (${outcome.reason})`;
    case 'rejected':
      return `${about}: rejected: ${outcome.reason}`;
  }
}

function autoPausedText(autoPaused: ReadonlyArray<{ scope: string; reason: string }>): string {
  return autoPaused.map((pause) => `\n  PAUSED ${pause.scope}: ${pause.reason} (npm run resume -- --campaign <id>, or without it for all sending, once fixed)`).join('');
}

function isSimulated(value: string): value is SimulatedSesEvent {
  return (SIMULATED_SES_EVENTS as readonly string[]).includes(value);
}

try {
  await main();
} catch (error) {
  if (error instanceof HelpRequested) {
    console.log(error.message);
    process.exit(0);
  }
  if (error instanceof UsageError || error instanceof CommandLineError) {
    console.error((error as Error).message);
    process.exit(2);
  }
  throw error;
}
