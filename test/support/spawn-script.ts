/** Runs one of the project's scripts as a user would (through tsx), capturing its output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/**
 * Node itself runs the script, with tsx as a loader, not the `tsx` command: that command relays a
 * signal to its child and, when the child has not acknowledged it within 30 ms (easily missed on a
 * busy 2-core CI machine), kills it with SIGKILL and exits 143. A test that sends SIGTERM must reach
 * the script's own handler, as Ctrl-C in a terminal does (the whole process group gets it).
 */
const NODE_ARGS = ['--import', 'tsx'];

export interface Running {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

export function startScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [...NODE_ARGS, script, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: async (text, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      const matches = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
      while (!matches()) {
        if (child.exitCode !== null) throw new Error(`script exited (${child.exitCode}) before printing ${String(text)}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

export async function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const running = startScript(script, args, env);
  const code = await running.exited;
  return { code, output: running.output() };
}
