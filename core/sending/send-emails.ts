/**
 * Use case: the sender. For each send request of a queue batch: re-check suppression, consent
 * and topic preference at send time, claim the email with a conditional write (whoever holds
 * the claim is the only one allowed to call SES), render it, wait for a send-rate slot, and
 * call the mailer. Returns the ids of the records that must be retried (partial batch failure):
 * only failures where SES certainly did not accept the email, so a retry cannot double-send.
 * When SES refuses the account rather than an email (sending paused, access denied), the batch
 * halts: nothing is failed, every record not done goes back, and the result says why, so the
 * runtime can raise the alarm and back off.
 */
import { mapBounded } from '../bounded-parallel.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Account } from '../customers/account.ts';
import type { Contact } from '../customers/contact.ts';
import { MailerError, type Clock, type CustomerStore, type Mailer, type OutgoingEmail, type SendingPauseStore, type SendStore, type StrandedClaimStore, type SuppressionStore, type WebinarStore } from '../ports.ts';
import type { TemplateCompiler } from '../rendering/template-compiler.ts';
import { renderContextOf, senderContextOf, type RenderLinks, type SurveyRenderContext } from '../rendering/render-context.ts';
import { answerLinksOf } from '../surveys/answer-token.ts';
import { renderEmail } from '../rendering/render-email.ts';
import { signToken } from '../tracking/link-token.ts';
import type { Suppression } from '../tracking/suppression.ts';
import { trackEmail } from '../tracking/track-email.ts';
import { invitationContext, prepareWebinarEmail, type WebinarEmail } from '../webinars/webinar-message.ts';
import { BatchSendGate, type BatchHalt } from './batch-send-gate.ts';
import { encodeTagValue, signTags } from './email-tags.ts';
import { evaluateGuardrails } from './guardrails.ts';
import { messageDefinition, type MessageDefinition } from './message-definition.ts';
import { messageIdOf, sendRequestSchema, type SendRequest } from './send-request.ts';
import { pauseOf } from './sending-pause.ts';
import type { SendRateLimiter } from './send-rate-limiter.ts';
import type { SendWindowRules } from './send-window.ts';
import { settleTakenClaim } from './stranded-claims.ts';

export interface SenderDeps {
  config: EngineConfig;
  customers: CustomerStore;
  sends: SendStore;
  /** Where a claim abandoned by a dead worker is reported (stranded-claims.ts). */
  strandedClaims: Pick<StrandedClaimStore, 'markStranded'>;
  suppressions: SuppressionStore;
  /** The pause switch, read once per batch. */
  pauses: Pick<SendingPauseStore, 'listPauses'>;
  /** Webinar emails: the session's current state and the registrant, read at send time. */
  webinars: Pick<WebinarStore, 'getSession' | 'getRegistrant'>;
  mailer: Mailer;
  compiler: TemplateCompiler;
  clock: Clock;
  rateLimiter: SendRateLimiter;
  /** Public base URL of the HTTP app (unsubscribe, preference, open and click links) and the token secret. */
  links: { baseUrl: string; tokenSecret: string };
  newClaimToken: () => string;
  sleep: (ms: number) => Promise<void>;
  /** True when the worker must stop taking on emails (e.g. the Lambda is about to time out); unclaimed records are retried. */
  shouldStop?: () => boolean;
  /** Throttled attempts before the record goes back to the queue. */
  maxThrottleRetries?: number;
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * `claimed-elsewhere`: another worker holds the email's claim (retried later, like `retry`);
 * `stranded`: the claim's worker died, the send is now listed for ops (stranded-claims.ts).
 */
export type SendOutcome = 'sent' | 'duplicate' | 'skipped' | 'failed' | 'retry' | 'paused' | 'claimed-elsewhere' | 'stranded';

/** Outcomes whose record goes back to the queue. */
const RETRIED: ReadonlySet<SendOutcome> = new Set(['retry', 'claimed-elsewhere']);

export interface QueueRecord {
  id: string;
  body: unknown;
}

export interface BatchResult {
  /** Records to retry (SQS batchItemFailures). */
  retryIds: string[];
  outcomes: Map<string, SendOutcome>;
  /** Set when SES refused the account: the batch stopped and its unsent records are in retryIds. */
  halted?: BatchHalt;
}

export type { BatchHalt };

/** Time checks only: the send window was applied when the request was queued or released. */
const ALWAYS_OPEN: SendWindowRules = { quietStart: 0, quietEnd: 0, holidays: [] };

export async function processSendBatch(records: readonly QueueRecord[], deps: SenderDeps): Promise<BatchResult> {
  const outcomes = new Map<string, SendOutcome>();
  const parsed: Array<{ id: string; request: SendRequest }> = [];
  for (const record of records) {
    const result = sendRequestSchema.safeParse(typeof record.body === 'string' ? safeJson(record.body) : record.body);
    if (result.success) parsed.push({ id: record.id, request: result.data });
    else {
      // A malformed message never succeeds: retrying sends it to the dead-letter queue, where people look.
      // Paths and zod codes only: messages quote what was sent (an unknown key may be an address).
      deps.log?.({ level: 'ERROR', message: 'malformed send request', recordId: record.id, issues: result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.code}`) });
      outcomes.set(record.id, 'retry');
    }
  }
  // Paused (all sending, or this campaign / sequence): parked, due at once, and acknowledged; the
  // release job queues them again when the pause is lifted. Nothing is claimed, failed or retried.
  const pauses = await deps.pauses.listPauses();
  const parkedNow = parsed.filter(({ request }) => pauseOf(pauses, messageIdOf(request.source)) !== undefined);
  if (parkedNow.length > 0) {
    const notBefore = deps.clock.now().toISOString();
    await deps.sends.deferSends(parkedNow.map(({ request }) => ({ request, notBefore })));
    for (const { id } of parkedNow) outcomes.set(id, 'paused');
    parsed.splice(0, parsed.length, ...parsed.filter((entry) => !parkedNow.includes(entry)));
  }
  const contactIds = parsed.map(({ request }) => request.contactId);
  const [contacts, accounts] = await Promise.all([deps.customers.getContacts(contactIds), deps.customers.getAccounts(parsed.map(({ request }) => request.accountId))]);
  const suppressed = await deps.suppressions.suppressedAmong([...contacts.values()].map((contact) => contact.email));
  const gate = new BatchSendGate();
  await mapBounded(parsed, parsed.length || 1, async ({ id, request }) => {
    try {
      const contact = contacts.get(request.contactId);
      outcomes.set(id, await sendOne(request, contact, accounts.get(request.accountId), contact ? suppressed.get(contact.email) : undefined, gate, deps));
    } catch (error) {
      deps.log?.({ level: 'ERROR', message: 'send failed, will retry', recordId: id, contactId: request.contactId, error: (error as Error).message });
      outcomes.set(id, 'retry');
    }
  });
  const retryIds = [...outcomes.entries()].filter(([, outcome]) => RETRIED.has(outcome)).map(([id]) => id);
  const { halted } = gate;
  if (!halted) return { retryIds, outcomes };
  // Once per batch, not per email: the error is about the account. Its name only (SES's text can name the sender identity).
  deps.log?.({
    level: 'ERROR',
    message: 'SES refused the sending account, not an email: batch halted, nothing failed, unsent records returned for retry',
    reason: halted.reason,
    errorName: halted.errorName,
    records: records.length,
    retried: retryIds.length,
  });
  return { retryIds, outcomes, halted };
}

async function sendOne(
  request: SendRequest,
  contact: Contact | undefined,
  account: Account | undefined,
  suppression: Suppression | undefined,
  gate: BatchSendGate,
  deps: SenderDeps,
): Promise<SendOutcome> {
  const now = deps.clock.now();
  const filedUnder = messageIdOf(request.source);
  const skip = async (reason: string, detail?: string): Promise<SendOutcome> => {
    await deps.sends.recordSkips([{ campaignId: filedUnder, runId: request.runId, contactId: request.contactId, accountId: request.accountId, reason, ...(detail ? { detail } : {}), skippedAt: now.toISOString() }]);
    return 'skipped';
  };
  if (!contact || !account) return skip('contact-missing');
  let webinar: WebinarEmail | undefined;
  if (request.source.kind === 'webinar') {
    // Checked at send time: the session may have moved or been cancelled, the follow-up depends on attendance.
    const decided = await prepareWebinarEmail(request.source, contact, now, { config: deps.config, webinars: deps.webinars, links: deps.links });
    if ('skip' in decided) return skip(decided.skip, decided.detail);
    webinar = decided.email;
  }
  const definition = webinar?.definition ?? messageDefinition(deps.config, request.source);
  const decision = evaluateGuardrails({ contact, topic: definition.topic, suppression, recentSends: [], now }, [], ALWAYS_OPEN);
  if (decision.action === 'skip') return skip(decision.reason, decision.detail);
  // Through the gate before taking a send slot: a slot taken while waiting would be spent in a burst after it.
  return gate.pass(() => claimAndSend(request, contact, account, definition, webinar, gate, deps));
}

async function claimAndSend(
  request: SendRequest,
  contact: Contact,
  account: Account,
  definition: MessageDefinition,
  webinar: WebinarEmail | undefined,
  gate: BatchSendGate,
  deps: SenderDeps,
): Promise<SendOutcome> {
  // Halted: SES takes nothing from this account, so do not even claim.
  if (gate.halted) return 'retry';
  const now = deps.clock.now();
  const filedUnder = messageIdOf(request.source);
  // Wait for a send slot before claiming, so a claim is held only for the moments around the SES call.
  await deps.rateLimiter.acquire();
  if (gate.halted || deps.shouldStop?.()) return 'retry';
  const ref = { campaignId: filedUnder, runId: request.runId, contactId: request.contactId };
  const claimToken = deps.newClaimToken();
  const segment = { tier: account.tier, locale: contact.locale };
  const claim = await deps.sends.claimSendOrGetHolder({ ...ref, accountId: request.accountId, ...segment, state: 'claimed', claimedAt: now.toISOString(), claimToken });
  if (!claim.claimed) return settleTakenClaim(request, claim.holder, now, deps);

  let email: OutgoingEmail;
  try {
    email = await composeEmail(request, contact, account, definition, webinar, deps);
  } catch (error) {
    await deps.sends.releaseClaim(ref, claimToken);
    throw error;
  }
  const maxRetries = deps.maxThrottleRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await deps.rateLimiter.acquire();
    if (gate.halted) {
      // Another email of the batch found the account refused while this one was being rendered or throttled.
      await deps.sends.releaseClaim(ref, claimToken);
      return 'retry';
    }
    let messageId: string;
    try {
      ({ messageId } = await deps.mailer.send(email));
    } catch (error) {
      if (!(error instanceof MailerError)) {
        // Not classified: SES may have accepted it. Keep the claim (no second copy); the retry sees it and stops.
        await deps.sends.markFailed(ref, `unknown-outcome: ${(error as Error).message}`);
        return 'failed';
      }
      if (error.kind === 'account-level') {
        // SES refused the account, so it took nothing: halt the batch first (so no one else claims), then free this claim for the retry.
        gate.halt({ reason: 'account-level', errorName: error.message });
        await deps.sends.releaseClaim(ref, claimToken);
        return 'retry';
      }
      if (error.kind === 'permanent' || error.kind === 'unknown-outcome') {
        // unknown-outcome: SES may have accepted it; never risk a second copy.
        await deps.sends.markFailed(ref, `${error.kind}: ${error.message}`);
        return 'failed';
      }
      if (attempt >= maxRetries) {
        // Throttled or refused before sending: SES did not take it, so the claim can go and a retry may send.
        await deps.sends.releaseClaim(ref, claimToken);
        return 'retry';
      }
      await deps.sleep(Math.min(5_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2));
      continue;
    }
    gate.accepted();
    // Sent. If recording it fails, the claim stays: a retry finds it and sends nothing.
    await deps.sends.markSent(ref, messageId, deps.clock.now(), segment);
    return 'sent';
  }
}

async function composeEmail(
  request: SendRequest,
  contact: Contact,
  account: Account,
  definition: MessageDefinition,
  webinar: WebinarEmail | undefined,
  deps: SenderDeps,
): Promise<OutgoingEmail> {
  const compiled = await deps.compiler.compileFor(definition.templateId, definition, contact.locale);
  const messageId = messageIdOf(request.source);
  const { unsubscribe, preferences } = recipientLinksOf({ messageId, runId: request.runId, contactId: contact.contactId }, deps.links);
  const now = deps.clock.now();
  const invites = invitedWebinarOf(deps.config, request.source);
  const webinarContext = webinar ? webinar.contextFor(compiled.locale) : invites ? invitationContext(deps.config, invites, contact, compiled.locale, now, deps.links) : undefined;
  const surveyContext = surveyContextOf(deps.config, request.source, { messageId, runId: request.runId, contactId: contact.contactId }, compiled.locale, deps.links);
  // "now" from the Clock, so a date in the email is the engine's time (a virtual clock's in the demo), not the server's.
  const rendered = renderEmail(
    compiled,
    renderContextOf({
      contact,
      account,
      links: { unsubscribe, preferences },
      sender: senderContextOf(definition.sender, compiled.locale),
      now,
      attributes: deps.config.attributes,
      ...(webinarContext ? { webinar: webinarContext } : {}),
      ...(surveyContext ? { survey: surveyContext } : {}),
    }),
    // The render records the links as it writes them, so tracking need not scan the HTML.
    { trackLinks: true },
  );
  // Click and open tracking: the link set is stored before the email leaves, so every click URL
  // in an inbox has a stored target. A failure here releases the claim and retries the record.
  const tracked = trackEmail(
    {
      messageId,
      runId: request.runId,
      contactId: contact.contactId,
      locale: compiled.locale,
      html: rendered.html,
      text: rendered.text,
      // Registration, calendar and survey links have routes of their own that record what they mean.
      // Survey answers too: their page records the answer (and a click redirect would hide it from the person).
      untracked: [unsubscribe, preferences, ...(webinar?.untrackedFor(compiled.locale) ?? []), ...(webinarContext?.registerUrl ? [webinarContext.registerUrl] : []), ...(surveyContext?.answerUrls ?? [])],
      ...(rendered.preparedLinks ? { prepared: rendered.preparedLinks } : {}),
    },
    deps.links,
    deps.clock.now(),
  );
  if (tracked.links) await deps.sends.saveMessageLinks(tracked.links);
  const headers = {
    'List-Unsubscribe': `<${unsubscribe}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    ...rendered.headers,
  };
  return {
    from: { email: definition.sender.email, name: definition.sender.displayName[compiled.locale] ?? definition.sender.email },
    to: contact.email,
    ...(definition.sender.replyTo ? { replyTo: definition.sender.replyTo } : {}),
    subject: rendered.subject,
    html: tracked.html,
    text: tracked.text,
    headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
    tags: signTags({
      kind: request.source.kind,
      campaign: encodeTagValue(messageId),
      run: encodeTagValue(request.runId),
      contact: encodeTagValue(contact.contactId),
      account: encodeTagValue(request.accountId),
      tier: encodeTagValue(account.tier),
      locale: encodeTagValue(contact.locale),
      ...(request.source.kind === 'sequence' ? { step: encodeTagValue(request.source.stepId) } : {}),
      ...Object.fromEntries(Object.entries(webinar?.tags ?? {}).map(([name, value]) => [name, encodeTagValue(value)])),
    }, deps.links.tokenSecret),
    configurationSet: definition.sender.configurationSet,
  };
}

/** The webinar a campaign or sequence step invites to (`invites`), if any. */
function invitedWebinarOf(config: EngineConfig, source: SendRequest['source']): string | undefined {
  if (source.kind === 'campaign') return config.campaigns.find((campaign) => campaign.id === source.campaignId)?.invites;
  if (source.kind === 'sequence') return config.sequences.find((sequence) => sequence.id === source.sequenceId)?.steps.find((step) => step.id === source.stepId)?.invites;
  return undefined;
}

/**
 * The survey a campaign or sequence step asks (`survey`), with the recipient's eleven signed answer
 * links (0-10) for this email: undefined for a message without one.
 */
function surveyContextOf(config: EngineConfig, source: SendRequest['source'], ref: { messageId: string; runId: string; contactId: string }, locale: 'ja' | 'en', links: SenderDeps['links']): SurveyRenderContext | undefined {
  const surveyId =
    source.kind === 'campaign'
      ? config.campaigns.find((campaign) => campaign.id === source.campaignId)?.survey
      : source.kind === 'sequence'
        ? config.sequences.find((sequence) => sequence.id === source.sequenceId)?.steps.find((step) => step.id === source.stepId)?.survey
        : undefined;
  const survey = surveyId === undefined ? undefined : config.surveys.find((candidate) => candidate.id === surveyId);
  if (!survey) return undefined;
  const answers = answerLinksOf({ surveyId: survey.id, ...ref }, links);
  return { id: survey.id, question: survey.question[locale], answerUrls: answers.map((answer) => answer.url), answers };
}

/** The recipient's own unsubscribe and preference links (signed tokens): also used by `npm run preview`. */
export function recipientLinksOf(ref: { messageId: string; runId: string; contactId: string }, links: SenderDeps['links']): RenderLinks {
  const token = (purpose: 'unsubscribe' | 'preferences') => signToken({ purpose, messageId: ref.messageId, runId: ref.runId, contactId: ref.contactId }, links.tokenSecret);
  return { unsubscribe: `${links.baseUrl}/u/${token('unsubscribe')}`, preferences: `${links.baseUrl}/p/${token('preferences')}` };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
