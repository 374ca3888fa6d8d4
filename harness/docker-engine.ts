/** The local Docker engine for the harness: its API over the unix socket, and stopping a dockerd a run started. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';

type Json = any;

/** DOCKER_HOST when it names a unix socket, else Docker's default. */
function socketPath(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export interface EngineAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/** One Engine API call; a JSON body is sent as such. */
export function engine(method: string, path: string, body?: Json, timeoutMs = 60_000): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: socketPath(),
        method,
        path,
        headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Docker API ${method} ${path} timed out`)));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** An API call that must succeed (2xx); its JSON answer, if any. */
export async function engineJson(method: string, path: string, body?: Json): Promise<Json> {
  const answer = await engine(method, path, body);
  const text = answer.body.toString('utf8');
  if (answer.status < 200 || answer.status > 299) throw new Error(`Docker API ${method} ${path}: ${answer.status} ${text.trim()}`);
  return text ? JSON.parse(text) : undefined;
}

/** A container's output: the API multiplexes stdout and stderr in frames of an 8-byte header and a payload. */
export async function containerLogs(id: string, tail = 40): Promise<string> {
  const { body } = await engine('GET', `/containers/${id}/logs?stdout=1&stderr=1&tail=${tail}`);
  const out: Buffer[] = [];
  for (let i = 0; i + 8 <= body.length;) {
    const size = body.readUInt32BE(i + 4);
    out.push(body.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}

export const dockerRunning = (): boolean => spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

/** Stops the dockerd whose pid file is Docker's default, and waits up to 30 s for it to exit. */
export function stopDockerd(): void {
  const pid = Number(existsSync('/var/run/docker.pid') ? readFileSync('/var/run/docker.pid', 'utf8').trim() : NaN);
  if (!Number.isInteger(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 60; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    spawnSync('sleep', ['0.5']);
  }
}
