/** Port checks for the local runtime: find a free one, or say clearly which ones are taken. */
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly purpose: string,
    readonly option: string,
  ) {
    super(describeBusyPort({ port, purpose, option }));
    this.name = 'PortInUseError';
  }
}

/** Every busy port of one start, so a user fixes them all in one go. */
export class PortsInUseError extends Error {
  constructor(readonly busy: readonly PortCheck[]) {
    super(busy.length === 1 ? describeBusyPort(busy[0] as PortCheck) : `${busy.length} ports are already in use:\n${busy.map((check) => `  ${describeBusyPort(check)}`).join('\n')}`);
    this.name = 'PortsInUseError';
  }
}

export interface PortCheck {
  port: number;
  /** What would listen there, e.g. `DynamoDB Local`. */
  purpose: string;
  /** How to choose another, e.g. `--dynamodb-port or DYNAMODB_PORT`. */
  option: string;
}

function describeBusyPort({ port, purpose, option }: PortCheck): string {
  return `port ${port} (${purpose}) is already in use: stop whatever is using it, or choose another port with ${option}`;
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, purpose: string, option: string): Promise<void> {
  if (!(await isPortFree(port))) throw new PortInUseError(port, purpose, option);
}

/** Checks them all and reports every busy one at once. */
export async function assertPortsFree(checks: readonly PortCheck[]): Promise<void> {
  const free = await Promise.all(checks.map((check) => isPortFree(check.port)));
  const busy = checks.filter((_, index) => !free[index]);
  if (busy.length > 0) throw new PortsInUseError(busy);
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
