/**
 * The Mailer port on SES v2: SendEmail with a configuration set, custom headers (RFC 8058
 * List-Unsubscribe) and email tags; GetAccount for the send quota. The same adapter drives the
 * local SES emulator (only the endpoint differs). SDK retries are off: a blind retry after a
 * timeout could send twice, so every failure is classified here and decided by the sender.
 * The classification separates a refusal of this email (permanent) from a refusal of the account
 * or its setup (account-level): only the first may fail the email for good.
 */
import { GetAccountCommand, SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MailerError, type Mailer, type MailerFailureKind, type OutgoingEmail } from '../../core/ports.ts';

const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'LimitExceededException']);
/** SES refused this email (its content or its addresses): sending it again cannot succeed. */
const PERMANENT = new Set(['MessageRejected', 'BadRequestException']);
/**
 * SES refused the account or its setup, not the email: the SendEmail errors that say so, and the
 * AWS common errors for permissions, credentials and signing (a bad deploy or a revoked key).
 * SES accepted nothing, and no other email can go until someone fixes the account, so these must
 * not fail each email of a run for good. NotFoundException: this adapter names no template or
 * contact list, so the missing resource is the configuration set, shared by every email of its
 * sender. CredentialsProviderError: the SDK found no credentials and sent no request at all.
 */
const ACCOUNT_LEVEL = new Set([
  'SendingPausedException',
  'AccountSuspendedException',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
  'AccessDeniedException',
  'AccessDenied',
  'NotAuthorized',
  'OptInRequired',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'RequestExpired',
  'CredentialsProviderError',
]);
/** Authentication and authorisation statuses: whatever the error's name, the caller, not the email, was refused. */
const ACCOUNT_LEVEL_STATUS = new Set([401, 403]);
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
      const accountLevel = accountLevelName(error, email.from.email);
      // An account-level error's message is only its name: it is logged, and SES's text can name the sender identity.
      if (accountLevel) throw new MailerError('account-level', accountLevel);
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

/** The error's name when SES refused the account or its setup rather than this email; undefined otherwise. */
function accountLevelName(error: unknown, fromAddress: string): string | undefined {
  const { name, message, $metadata } = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (name && ACCOUNT_LEVEL.has(name)) return name;
  // The daily quota comes as a throttle, but retrying within seconds cannot help: nothing goes until the 24-hour window moves.
  if (name && THROTTLED.has(name) && /daily message quota exceeded/i.test(message ?? '')) return `${name} (daily quota exceeded)`;
  // An unverified sender identity comes as MessageRejected ("Email address is not verified. The following identities
  // failed the check in region ...: <identities>"). Naming our From address or domain, it refuses every email of that
  // sender; naming only the recipient (SES sandbox), it refuses this email alone and stays permanent.
  if (name === 'MessageRejected' && failedIdentities(message ?? '').some((identity) => identity === fromAddress.toLowerCase() || identity === domainOf(fromAddress))) {
    return `${name} (sender identity not verified)`;
  }
  const status = $metadata?.httpStatusCode;
  if (status !== undefined && ACCOUNT_LEVEL_STATUS.has(status)) return name ?? `HTTP ${status}`;
  return undefined;
}

function failedIdentities(message: string): string[] {
  const match = /not verified\..*failed the check in region [^:]*:(.*)$/is.exec(message);
  return match?.[1] ? match[1].split(',').map((identity) => identity.trim().toLowerCase()).filter(Boolean) : [];
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
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
