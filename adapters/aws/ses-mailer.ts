/**
 * The Mailer port on SES v2: SendEmail with a configuration set, custom headers (RFC 8058
 * List-Unsubscribe) and email tags; GetAccount for the send quota. The same adapter drives the
 * local SES emulator (only the endpoint differs). SDK retries are off: a blind retry after a
 * timeout could send twice, so every failure is classified here and decided by the sender.
 */
import { GetAccountCommand, SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MailerError, type Mailer, type MailerFailureKind, type OutgoingEmail } from '../../core/ports.ts';

const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'LimitExceededException']);
const PERMANENT = new Set([
  'MessageRejected',
  'BadRequestException',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
]);
/** Connection errors raised before the request reached SES: the email was certainly not sent. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'CERT_HAS_EXPIRED']);

export interface SesMailerOptions {
  /** Overrides GetAccount (the local emulator has no real quota). */
  maxSendRate?: number;
}

export class SesMailer implements Mailer {
  private quota: Promise<number> | undefined;

  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions = {},
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: formatAddress(email.from.name, email.from.email),
          Destination: { ToAddresses: [email.to] },
          ...(email.replyTo ? { ReplyToAddresses: [email.replyTo] } : {}),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
              Headers: email.headers.map(({ name, value }) => ({ Name: name, Value: value })),
            },
          },
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
          ConfigurationSetName: email.configurationSet,
        }),
      );
      if (!result.MessageId) throw new MailerError('unknown-outcome', 'SES answered without a MessageId');
      return { messageId: result.MessageId };
    } catch (error) {
      if (error instanceof MailerError) throw error;
      throw new MailerError(classify(error), describe(error));
    }
  }

  maxSendRate(): Promise<number> {
    if (this.options.maxSendRate !== undefined) return Promise.resolve(this.options.maxSendRate);
    this.quota ??= this.client.send(new GetAccountCommand({})).then((account) => {
      const rate = account.SendQuota?.MaxSendRate;
      if (!rate || rate <= 0) throw new Error('SES GetAccount returned no MaxSendRate');
      return rate;
    });
    return this.quota;
  }
}

function classify(error: unknown): MailerFailureKind {
  const { name, code, $metadata } = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if ((name && THROTTLED.has(name)) || $metadata?.httpStatusCode === 429) return 'throttled';
  if (name && PERMANENT.has(name)) return 'permanent';
  if (code && NOT_SENT.has(code)) return 'not-sent-retryable';
  const status = $metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500) return 'permanent';
  return 'unknown-outcome';
}

function describe(error: unknown): string {
  const { name, message } = error as { name?: string; message?: string };
  return `${name ?? 'Error'}: ${message ?? String(error)}`;
}

/** `"Display Name" <address>`; non-ASCII names as an RFC 2047 encoded word, as SES requires. */
export function formatAddress(name: string, address: string): string {
  if (!name) return address;
  const safe = name.replace(/[\r\n]/g, ' ');
  if (/^[\x20-\x7e]*$/.test(safe)) return `"${safe.replace(/["\\]/g, '\\$&')}" <${address}>`;
  return `=?UTF-8?B?${Buffer.from(safe, 'utf8').toString('base64')}?= <${address}>`;
}
