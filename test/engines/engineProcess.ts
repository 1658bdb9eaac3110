import type { ChildProcess } from 'node:child_process';

/**
 * Resolves with the port an engine prints on its `<NAME>_READY <port>` line (`ready`), or fails
 * with its last output when it exits first or `timeoutMs` passes. Once ready, its output keeps
 * being drained: a full pipe would block the engine's logging.
 */
export function readyPort(child: ChildProcess, engine: string, ready: RegExp, timeoutMs: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let output = '';
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${engine} did not start within ${timeoutMs} ms:\n${output.slice(-4000)}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      child.stderr?.removeAllListeners('data');
      child.stderr?.resume();
      resolvePort(Number(match[1]));
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`${engine} exited (${code ?? signal}) before it listened:\n${output.slice(-4000)}`)));
  });
}

/** Asks an engine to stop (`ask`), kills it after `killAfterMs`, and resolves once it exited. */
export async function stopEngine(child: ChildProcess, ask: () => void, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  ask();
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(timer);
}
