/**
 * Starts the SES v2 emulator (npm `aws-ses-v2-local`) in this process. It accepts SendEmail
 * like SES, lists sent mail at `/` and returns it as JSON at `/store`.
 */
import type { Server } from 'node:http';
import sesEmulatorModule from 'aws-ses-v2-local';
import { assertPortFree } from './ports.ts';

export interface SesEmulator {
  endpoint: string;
  /** The page listing sent mail. */
  mailListUrl: string;
  stop(): Promise<void>;
}

/**
 * `maxSendRate` is what the emulator's GetAccount answers (it reads AWS_SES_ACCOUNT), so the
 * engine reads its quota locally the same way it does from SES.
 */
export async function startSesEmulator(port: number, maxSendRate = 50): Promise<SesEmulator> {
  await assertPortFree(port, 'SES emulator', '--ses-port');
  process.env.AWS_SES_ACCOUNT = JSON.stringify(localSesAccount(maxSendRate));
  // The package is CommonJS with an `exports.default`; unwrap it whichever way the loader exposes it.
  const startServer = ((sesEmulatorModule as unknown as { default?: typeof sesEmulatorModule }).default ?? sesEmulatorModule) as unknown as (config: { host: string; port: number }) => Promise<Server>;
  const server = await startServer({ host: '127.0.0.1', port });
  // Node's default 5 s keep-alive closes idle connections the SDK may be about to reuse: the
  // request then dies with "socket hang up", an unknown outcome the sender must not retry (it
  // could double-send), so the email is lost. Real SES keeps idle connections far longer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    mailListUrl: `${endpoint}/`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function localSesAccount(maxSendRate: number) {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'MARKETING',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'local development',
      WebsiteURL: 'http://127.0.0.1',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
  };
}
