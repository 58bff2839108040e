/**
 * How the SES v2 adapter classifies SendEmail failures, on a mocked SESv2Client: a refusal of the
 * account or its setup is `account-level` (the sender halts and retries), a refusal of the email
 * stays `permanent` (failed for good), throttles stay `throttled`. An account-level error carries
 * only its name, since it is logged: SES's own text can name the sender identity.
 */
import {
  AccountSuspendedException,
  BadRequestException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  SESv2ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../../adapters/aws/ses-mailer.ts';
import { MailerError, type OutgoingEmail } from '../../../core/ports.ts';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const email: OutgoingEmail = {
  from: { email: 'news@mail.example.com', name: 'Example News' },
  to: 'hanako@example.org',
  subject: 'Hello',
  html: '<p>Hello</p>',
  text: 'Hello',
  headers: [],
  tags: { campaign: 'monthly-newsletter' },
  configurationSet: 'nurture-engine',
};

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

/** An AWS error SES v2 does not model (common errors: permissions, credentials, throttling). */
function awsError(name: string, httpStatusCode: number, message = `${name} from AWS`): SESv2ServiceException {
  return new SESv2ServiceException({ name, $fault: 'client', message, ...meta(httpStatusCode) });
}

async function failureOf(error: Error): Promise<MailerError> {
  ses.on(SendEmailCommand).rejects(error);
  const failure = await new SesMailer(new SESv2Client({ region: 'us-east-1' })).send(email).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(failure).toBeInstanceOf(MailerError);
  return failure as MailerError;
}

const unverified = (identities: string) => `Email address is not verified. The following identities failed the check in region US-EAST-1: ${identities}`;

describe('SesMailer failure classification', () => {
  it.each([
    ['SendingPausedException', new SendingPausedException({ message: 'Sending paused for this account.', ...meta(400) })],
    ['AccountSuspendedException', new AccountSuspendedException({ message: 'Account suspended.', ...meta(400) })],
    ['MailFromDomainNotVerifiedException', new MailFromDomainNotVerifiedException({ message: 'MAIL FROM domain not verified.', ...meta(400) })],
    ['NotFoundException', new NotFoundException({ message: 'Configuration set <nurture-engine> does not exist.', ...meta(404) })],
    [
      'AccessDeniedException',
      awsError('AccessDeniedException', 403, 'User: arn:aws:sts::123456789012:assumed-role/sender/fn is not authorized to perform: ses:SendEmail on resource: arn:aws:ses:us-east-1:123456789012:identity/news@mail.example.com'),
    ],
    ['AccessDenied', awsError('AccessDenied', 403)],
    ['UnrecognizedClientException', awsError('UnrecognizedClientException', 400)],
    ['InvalidClientTokenId', awsError('InvalidClientTokenId', 403)],
    ['ExpiredTokenException', awsError('ExpiredTokenException', 400)],
    ['InvalidSignatureException', awsError('InvalidSignatureException', 400)],
    ['SomethingNewException', awsError('SomethingNewException', 403)],
  ])('%s is account-level, named without SES text', async (name, error) => {
    const failure = await failureOf(error);
    expect(failure.kind).toBe('account-level');
    expect(failure.message).toBe(name);
  });

  it('takes an unverified sender identity (MessageRejected naming our From address or domain) as account-level', async () => {
    for (const identities of ['news@mail.example.com', 'NEWS@mail.example.com, hanako@example.org', 'mail.example.com']) {
      const failure = await failureOf(new MessageRejected({ message: unverified(identities), ...meta(400) }));
      expect(failure).toMatchObject({ kind: 'account-level', message: 'MessageRejected (sender identity not verified)' });
    }
  });

  it('takes the spent daily quota (a throttle that seconds of back-off cannot cure) as account-level', async () => {
    const failure = await failureOf(awsError('ThrottlingException', 400, 'Daily message quota exceeded.'));
    expect(failure).toMatchObject({ kind: 'account-level', message: 'ThrottlingException (daily quota exceeded)' });
  });

  it('keeps refusals of the email itself permanent', async () => {
    expect((await failureOf(new MessageRejected({ message: 'Illegal address', ...meta(400) }))).kind).toBe('permanent');
    // SES sandbox: only the recipient is unverified; other recipients can still be sent to.
    expect((await failureOf(new MessageRejected({ message: unverified('hanako@example.org'), ...meta(400) }))).kind).toBe('permanent');
    expect((await failureOf(new BadRequestException({ message: 'Invalid header', ...meta(400) }))).kind).toBe('permanent');
    expect((await failureOf(awsError('ValidationError', 400))).kind).toBe('permanent');
  });

  it('keeps throttles throttled and refused connections retryable', async () => {
    expect((await failureOf(awsError('ThrottlingException', 400, 'Maximum sending rate exceeded.'))).kind).toBe('throttled');
    expect((await failureOf(new TooManyRequestsException({ message: 'Too many requests', ...meta(429) }))).kind).toBe('throttled');
    expect((await failureOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }))).kind).toBe('not-sent-retryable');
  });
});
