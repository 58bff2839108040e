/**
 * Builds SES events as SES publishes them to EventBridge, for an email we sent: the local
 * runtime's replay (`npm run ses-event`; the SES emulator publishes no events), the tests and
 * the benchmark all go through the same handler path with these. Pure: every time is an argument.
 */
import { createHash } from 'node:crypto';
import { encodeTagValue, signTags } from '../../sending/email-tags.ts';
import { sesDetailTypeOf, type SesEvent, type SesEventBridgeEvent } from './ses-event.ts';

/** What can be simulated; `bounce` is a permanent (hard) bounce, `soft-bounce` a transient one. */
export const SIMULATED_SES_EVENTS = ['send', 'delivery', 'bounce', 'soft-bounce', 'undetermined-bounce', 'complaint', 'reject', 'delivery-delay', 'rendering-failure'] as const;
export type SimulatedSesEvent = (typeof SIMULATED_SES_EVENTS)[number];

export interface SesEventTarget {
  /** The SES message id the send was recorded with. */
  messageId: string;
  /** The recipient, as SES names it inside the event. */
  email: string;
  /** Email tags as the sender set them (values already encoded); empty for an email without our tags. */
  tags: Record<string, string>;
  /** When SES accepted the email (`mail.timestamp`). */
  sentAt: Date;
  from?: string;
  configurationSet?: string;
}

/** The tags the sender puts on an email (core/sending/send-emails.ts), for a stored send; signed when `signWith` (the link secret) is given. */
export function senderTagsOf(
  send: { campaignId: string; runId: string; contactId: string; accountId?: string; tier?: string | undefined; locale?: string | undefined },
  options: { kind?: 'campaign' | 'sequence'; stepId?: string; withAccount?: boolean; signWith?: string } = {},
): Record<string, string> {
  const tags = {
    ...(options.kind ? { kind: options.kind } : {}),
    campaign: encodeTagValue(send.campaignId),
    run: encodeTagValue(send.runId),
    contact: encodeTagValue(send.contactId),
    ...(options.stepId ? { step: encodeTagValue(options.stepId) } : {}),
    ...(options.withAccount && send.accountId ? { account: encodeTagValue(send.accountId) } : {}),
    // As the sender tags them (the KPI counters' breakdowns), when the send knows them.
    ...(send.tier ? { tier: encodeTagValue(send.tier) } : {}),
    ...(send.locale ? { locale: encodeTagValue(send.locale) } : {}),
  };
  return options.signWith ? signTags(tags, options.signWith) : tags;
}

const ACCOUNT = '123456789012';
const REGION = 'ap-northeast-1';
const MTA = `a27-30.smtp-out.${REGION}.amazonses.com`;

/** An SES event of `kind` for the target email, happening at `at`, inside its EventBridge envelope. */
export function buildSesEventBridgeEvent(kind: SimulatedSesEvent, target: SesEventTarget, at: Date): SesEventBridgeEvent {
  const detail = buildSesEvent(kind, target, at);
  return {
    version: '0',
    id: uuidFrom(`${target.messageId}|${kind}|${at.toISOString()}`),
    'detail-type': sesDetailTypeOf(detail.eventType),
    source: 'aws.ses',
    account: ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/u, 'Z'),
    region: REGION,
    resources: [`arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${target.configurationSet ?? 'nurture-engine'}`],
    detail,
  };
}

export function buildSesEvent(kind: SimulatedSesEvent, target: SesEventTarget, at: Date): SesEvent {
  const mail = mailOf(target);
  const timestamp = at.toISOString();
  const feedbackId = `${hex(`${target.messageId}|${kind}|${timestamp}`, 16)}-${uuidFrom(target.messageId)}-000000`;
  switch (kind) {
    case 'send':
      return { eventType: 'Send', mail, send: {} };
    case 'delivery':
      return {
        eventType: 'Delivery',
        mail,
        delivery: {
          timestamp,
          processingTimeMillis: Math.max(0, at.getTime() - target.sentAt.getTime()),
          recipients: [target.email],
          smtpResponse: '250 2.0.0 OK  1764640801 d2e1a72fcca58-7f0a1b2c3d4si1234567b3a.123 - gsmtp',
          reportingMTA: MTA,
          remoteMtaIp: '203.0.113.25',
        },
      };
    case 'bounce':
    case 'soft-bounce':
    case 'undetermined-bounce': {
      const bounceType = kind === 'bounce' ? 'Permanent' : kind === 'soft-bounce' ? 'Transient' : 'Undetermined';
      return {
        eventType: 'Bounce',
        mail,
        bounce: {
          bounceType,
          bounceSubType: bounceType === 'Permanent' ? 'General' : bounceType === 'Transient' ? 'MailboxFull' : 'Undetermined',
          bouncedRecipients: [
            bounceType === 'Permanent'
              ? { emailAddress: target.email, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }
              : { emailAddress: target.email, action: 'failed', status: '5.2.2', diagnosticCode: 'smtp; 552 5.2.2 mailbox full' },
          ],
          timestamp,
          feedbackId,
          reportingMTA: `dns; ${MTA}`,
          remoteMtaIp: '203.0.113.25',
        },
      };
    }
    case 'complaint':
      return {
        eventType: 'Complaint',
        mail,
        complaint: {
          feedbackId,
          complaintSubType: null,
          complainedRecipients: [{ emailAddress: target.email }],
          timestamp,
          userAgent: 'Yahoo!-Mail-Feedback/2.0',
          complaintFeedbackType: 'abuse',
          arrivalDate: timestamp,
        },
      };
    case 'reject':
      return { eventType: 'Reject', mail, reject: { reason: 'Bad content' } };
    case 'delivery-delay':
      return {
        eventType: 'DeliveryDelay',
        mail,
        deliveryDelay: {
          timestamp,
          delayType: 'MailboxFull',
          expirationTime: new Date(target.sentAt.getTime() + 14 * 3_600_000).toISOString(),
          delayedRecipients: [{ emailAddress: target.email, status: '4.2.2', diagnosticCode: 'smtp; 452 4.2.2 The email account that you tried to reach is over quota.' }],
          reportingMTA: MTA,
        },
      };
    case 'rendering-failure':
      return {
        eventType: 'Rendering Failure',
        mail,
        failure: { errorMessage: "Attribute 'firstName' is not present in the rendering data.", templateName: 'nurture-engine-template' },
      };
  }
}

function mailOf(target: SesEventTarget): SesEvent['mail'] {
  const from = target.from ?? 'Nurture <news@example.com>';
  const fromDomain = from.replace(/^.*@/u, '').replace(/>$/u, '');
  return {
    timestamp: target.sentAt.toISOString(),
    source: from,
    sourceArn: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${fromDomain}`,
    sendingAccountId: ACCOUNT,
    messageId: target.messageId,
    destination: [target.email],
    headersTruncated: false,
    headers: [
      { name: 'From', value: from },
      { name: 'To', value: target.email },
      { name: 'MIME-Version', value: '1.0' },
    ],
    commonHeaders: { from: [from], to: [target.email], messageId: target.messageId },
    tags: {
      'ses:configuration-set': [target.configurationSet ?? 'nurture-engine'],
      'ses:source-ip': ['192.0.2.10'],
      'ses:from-domain': [fromDomain],
      'ses:caller-identity': ['nurture-engine-sender'],
      ...Object.fromEntries(Object.entries(target.tags).map(([name, value]) => [name, [value]])),
    },
  };
}

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** A stable UUID-shaped id from a seed, so the same simulated event always has the same envelope id. */
function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
