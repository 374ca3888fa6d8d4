/** moto, patched by harness/moto_launcher.py, on a free loopback port for the integration test. */
import { spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, track } from './terraform';

const LAUNCHER = join(__dirname, 'moto_launcher.py');

export interface Emulator {
  readonly endpoint: string;
  readonly version: string;
  /** moto's request log: one line per request, with its status. */
  readonly logFile: string;
  stop(): void;
}

export interface Moto {
  readonly python: string;
  readonly version: string;
}

/** The Python that runs moto: MOTO_PYTHON, else python3 from PATH; throws HarnessError without one. */
export function findMoto(): Moto {
  const python = process.env.MOTO_PYTHON || 'python3';
  const probe = spawnSync(python, ['-c', 'import moto, werkzeug; print(moto.__version__)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new HarnessError(
      `${python} cannot import moto (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); ` +
        `install it (pip install 'moto[server]>=5.2,<5.3') or set MOTO_PYTHON to a Python that has it`,
    );
  }
  return { python, version: probe.stdout.trim() };
}

/** Starts the launcher and waits for its "READY <port>" line; its request log goes to `logFile`. */
export function startEmulator({ python, version }: Moto, logFile: string, timeoutMs = 30_000): Promise<Emulator> {
  const child = track(spawn(python, [LAUNCHER], { stdio: ['ignore', 'pipe', openSync(logFile, 'w')] }));
  const stop = () => child.kill('SIGTERM');
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      stop();
      reject(new HarnessError(`moto did not start: ${why} (log: ${logFile})`));
    };
    const timer = setTimeout(() => fail(`no READY line within ${timeoutMs / 1000} s`), timeoutMs);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const port = /READY (\d+)/.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ endpoint: `http://127.0.0.1:${port}`, version, logFile, stop });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(`exited with code ${code}`);
    });
  });
}

/**
 * The requests moto answered with a server error (5xx). AWS answers a request it applied with
 * its result, so a 5xx here is a fault of the emulator, and the SDK's retry of it would test
 * nothing but that fault.
 */
export function serverErrors(log: string): string[] {
  return log.split('\n').filter((line) => /" 5\d\d /.test(line));
}

/** Fails when moto answered any request with a server error; the check's detail is the count of requests. */
export function checkNoServerErrors(emulator: Emulator): string {
  const log = readFileSync(emulator.logFile, 'utf8');
  const errors = serverErrors(log);
  if (errors.length > 0) throw new Error(`${errors.length} answered 5xx, first: ${errors[0].trim()} (log: ${emulator.logFile})`);
  return `${log.split('\n').filter((line) => /" \d{3} /.test(line)).length} requests, none answered 5xx`;
}
