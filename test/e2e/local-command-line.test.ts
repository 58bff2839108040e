/**
 * The one option parser of the commands: --help, a flag winning over its environment variable,
 * the running engine's file used when neither is given (a stale one ignored), and a port that
 * answers but is not the engine's DynamoDB Local refused before anything is read or written.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CommandLineError, HelpRequested, parseCommandLine } from '../../local/command-line.ts';
import { LocalStoreError, openLocalStore } from '../../local/local-store-session.ts';
import { freePort } from '../../local/ports.ts';

const COMMAND = { usage: 'npm run thing -- <x> [options]', summary: 'Does a thing.', options: { at: { type: 'string' } }, optionHelp: { at: 'when' } } as const;

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nurture-cli-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const writeEngine = (engine: Record<string, unknown>) => writeFile(join(dataDir, 'engine.json'), JSON.stringify({ pid: process.pid, enginePort: 3100, dynamodbPort: 8100, sesPort: 8105, tableName: 'engine-table', startedAt: '2026-01-01T00:00:00Z', ...engine }));
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseCommandLine(COMMAND, [...argv, '--data-dir', dataDir], env, '/');

describe('command-line options', () => {
  it('--help lists the command options and the shared flags with their environment variables', () => {
    expect(() => parse(['--help'])).toThrow(HelpRequested);
    try {
      parse(['--help']);
    } catch (error) {
      expect((error as Error).message).toContain('usage: npm run thing -- <x> [options]');
      expect((error as Error).message).toMatch(/--at <value>\s+when/);
      expect((error as Error).message).toMatch(/--dynamodb-port <value>\s+port of DynamoDB Local \(env DYNAMODB_PORT; default: the running engine's, else 8000\)/);
    }
  });

  it('refuses an unknown option and a bad port with the usage, not a stack trace', () => {
    expect(() => parse(['--bogus'])).toThrow(CommandLineError);
    expect(() => parse(['--dynamodb-port', 'eighty'])).toThrow(/--dynamodb-port \/ DYNAMODB_PORT: expected a port number/);
  });

  it('takes a flag over its environment variable, the environment over the engine file, the engine file over the default', async () => {
    await rm(join(dataDir, 'engine.json'), { force: true });
    expect(parse([]).settings).toMatchObject({ dynamodbPort: 8000, enginePort: 3000, tableName: 'nurture-engine-local', runningEngine: undefined });
    await writeEngine({});
    const fromEngine = parse(['x', '--at', 'noon']);
    expect(fromEngine.settings).toMatchObject({ dynamodbPort: 8100, enginePort: 3100, sesPort: 8105, tableName: 'engine-table' });
    expect(fromEngine.settings.sources.dynamodbPort).toBe('engine file');
    expect(fromEngine.values.at).toBe('noon');
    expect(fromEngine.positionals).toEqual(['x']);
    expect(parse([], { DYNAMODB_PORT: '8200' }).settings.dynamodbPort).toBe(8200);
    expect(parse(['--dynamodb-port', '8300'], { DYNAMODB_PORT: '8200' }).settings).toMatchObject({ dynamodbPort: 8300, sources: { dynamodbPort: 'flag' } });
  });

  it('ignores the file of an engine whose process is gone', async () => {
    await writeEngine({ pid: 2 ** 22 + 12345 });
    expect(parse([]).settings).toMatchObject({ dynamodbPort: 8000, runningEngine: undefined });
  });

  it('refuses a corrupt engine file by name', async () => {
    await writeFile(join(dataDir, 'engine.json'), '{"pid": "x"');
    expect(() => parse([])).toThrow(/engine\.json: not an engine file written by npm start/);
  });
});

describe('the local table of a command', () => {
  let foreign: Server;
  let foreignPort: number;
  beforeAll(async () => {
    foreignPort = await freePort();
    // Answers anything with a 404 and hangs up: a web server, not DynamoDB.
    foreign = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => foreign.listen(foreignPort, '127.0.0.1', resolve));
  });
  afterAll(() => void foreign.close());

  it('refuses a busy port when no engine runs from the data folder, and reads or writes nothing', async () => {
    await rm(join(dataDir, 'engine.json'), { force: true });
    let worked = false;
    const { settings } = parse(['--dynamodb-port', String(foreignPort)]);
    await expect(openLocalStore(settings, {}, async () => void (worked = true))).rejects.toThrow(new RegExp(`port ${foreignPort} answers, but no engine is running from`));
    expect(worked).toBe(false);
  });

  it('refuses a port the engine file names when it does not answer as DynamoDB Local', async () => {
    await writeEngine({ dynamodbPort: foreignPort });
    await expect(openLocalStore(parse([]).settings, {}, async () => undefined)).rejects.toThrow(LocalStoreError);
  });

  it("refuses another DynamoDB Local on the engine's port: it lacks the engine's table", async () => {
    const otherDynamo = Number(new URL(inject('dynamoEndpoint')).port);
    await writeEngine({ dynamodbPort: otherDynamo, tableName: 'no-such-engine-table' });
    await expect(openLocalStore(parse([]).settings, {}, async () => undefined)).rejects.toThrow(`the DynamoDB Local on port ${otherDynamo} has no table no-such-engine-table`);
  });
});
