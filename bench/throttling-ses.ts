/**
 * A stand-in for SES v2 that enforces the account's send rate, for the send bench: the two REST
 * calls the SES mailer adapter uses. `GET /v2/email/account` answers the quota;
 * `POST /v2/email/outbound-emails` takes a token from a bucket of MaxSendRate tokens (one second
 * of burst, as SES allows) refilled at MaxSendRate per second, and answers a throttle like SES
 * when the bucket is empty: HTTP 400, `x-amzn-ErrorType: ThrottlingException`,
 * `{"message":"Maximum sending rate exceeded."}`. Accepted emails are kept in memory (addresses
 * and tags only, never the body) so the bench can count duplicates and losses.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { freePort } from '../local/ports.ts';

export interface ThrottlingSesOptions {
  /** Emails per second the bucket refills; also its capacity. */
  maxSendRate: number;
  max24HourSend?: number;
  /** Milliseconds on a monotonic clock (default `performance.now()`). */
  now?: () => number;
  /**
   * How long an idle keep-alive connection stays open (default 60 s). Node's default of 5 s lets
   * the server close a socket just as the client, in this same busy process, reuses it: the SDK
   * then sees ECONNRESET / socket hang up, which the mailer rightly treats as an unknown outcome.
   */
  keepAliveTimeoutMs?: number;
}

export interface AcceptedEmail {
  messageId: string;
  to: string[];
  tags: Record<string, string>;
  /** On the server's clock (`now`), milliseconds. */
  acceptedAt: number;
}

export interface ThrottlingSesCounts {
  accepted: number;
  throttled: number;
  /** Requests the server could not read as a SendEmail (answered 400 BadRequestException). */
  malformed: number;
  firstAcceptedAt: number | undefined;
  lastAcceptedAt: number | undefined;
}

const sendEmailBodySchema = z.object({
  Destination: z.object({ ToAddresses: z.array(z.string()).min(1) }),
  EmailTags: z.array(z.object({ Name: z.string(), Value: z.string() })).optional(),
});

const SEND_PATH = '/v2/email/outbound-emails';
const ACCOUNT_PATH = '/v2/email/account';

/** Token bucket: starts full, refills continuously, never above capacity. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.refilledAt = now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class ThrottlingSes {
  readonly accepted: AcceptedEmail[] = [];
  /** Accepted emails per destination address (lower-cased). */
  readonly perRecipient = new Map<string, number>();
  private throttled = 0;
  private malformed = 0;
  private readonly bucket: TokenBucket;
  private readonly now: () => number;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly options: ThrottlingSesOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.bucket = new TokenBucket(options.maxSendRate, options.maxSendRate, this.now);
    server.on('request', (request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) answer(response, 500, { message: (error as Error).message }, 'InternalFailure');
      });
    });
  }

  /** Listens on 127.0.0.1 on a free port. */
  static async start(options: ThrottlingSesOptions): Promise<ThrottlingSes> {
    if (!(options.maxSendRate > 0)) throw new Error(`throttling SES: maxSendRate must be above 0, got ${options.maxSendRate}`);
    const port = await freePort();
    const server = createServer({ keepAlive: true });
    server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1' }, () => resolve());
    });
    return new ThrottlingSes(server, `http://127.0.0.1:${port}`, options);
  }

  counts(): ThrottlingSesCounts {
    return {
      accepted: this.accepted.length,
      throttled: this.throttled,
      malformed: this.malformed,
      firstAcceptedAt: this.accepted[0]?.acceptedAt,
      lastAcceptedAt: this.accepted.at(-1)?.acceptedAt,
    };
  }

  stop(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.closeAllConnections();
      this.server.close((error) => (error ? reject(error) : resolve()));
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0];
    const body = await readBody(request);
    if (request.method === 'GET' && path === ACCOUNT_PATH) {
      answer(response, 200, {
        SendQuota: { MaxSendRate: this.options.maxSendRate, Max24HourSend: this.options.max24HourSend ?? 1_000_000, SentLast24Hours: this.accepted.length },
        SendingEnabled: true,
        ProductionAccessEnabled: true,
      });
      return;
    }
    if (request.method === 'POST' && path === SEND_PATH) {
      const parsed = sendEmailBodySchema.safeParse(safeJson(body));
      if (!parsed.success) {
        this.malformed += 1;
        answer(response, 400, { message: `not a SendEmail request: ${parsed.error.issues[0]?.message ?? 'unreadable body'}` }, 'BadRequestException');
        return;
      }
      if (!this.bucket.take()) {
        this.throttled += 1;
        answer(response, 400, { message: 'Maximum sending rate exceeded.' }, 'ThrottlingException');
        return;
      }
      const to = parsed.data.Destination.ToAddresses.map((address) => address.toLowerCase());
      const messageId = randomUUID();
      this.accepted.push({
        messageId,
        to,
        tags: Object.fromEntries((parsed.data.EmailTags ?? []).map((tag) => [tag.Name, tag.Value])),
        acceptedAt: this.now(),
      });
      for (const address of to) this.perRecipient.set(address, (this.perRecipient.get(address) ?? 0) + 1);
      answer(response, 200, { MessageId: messageId });
      return;
    }
    answer(response, 404, { message: `throttling SES implements GET ${ACCOUNT_PATH} and POST ${SEND_PATH} only, not ${request.method} ${path}` }, 'NotFoundException');
  }
}

function answer(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
