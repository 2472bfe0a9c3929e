import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A real redis-server (Debian's) of one test or benchmark, on a free port, with its files in a temp dir. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Where its append-only file lives (with `appendOnly`). */
  readonly dir: string;
  /** SIGKILL: what Redis has not written to its append-only file is lost. */
  kill(): Promise<void>;
  /** Starts it again on the same port and files (after kill or stop). */
  restart(): Promise<void>;
  /** Stops it and removes its files. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Keep every write in an append-only file (fsync each): a restart keeps the queue. */
  readonly appendOnly?: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when something on the port answers PING with PONG. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let said = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      said += d.toString();
      if (said.includes('\r\n')) done(said.startsWith('+PONG'));
    });
  });
}

async function launch(port: number, dir: string, appendOnly: boolean): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', appendOnly ? 'yes' : 'no', '--appendfsync', 'always', '--loglevel', 'warning'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  child.stdout?.on('data', (d: Buffer) => (said += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (said += d.toString()));
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (e) => resolve(new Error(`cannot start redis-server (${e.message}): install Debian's redis-server (npm test installs it when run as root)`)));
  });
  if (spawned !== undefined) throw spawned;
  const deadline = performance.now() + 10_000;
  while (!(await pong(port))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited before answering on port ${port}: ${said.trim()}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer PING on port ${port} within 10 s: ${said.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/** Starts redis-server on a free port and resolves once it answers PING. */
export async function startRedisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reframe-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  // Another process may take the free port between the probe and redis-server's bind: try again.
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, o.appendOnly === true);
    } catch (e) {
      if (attempt >= 2 || !/exited before answering/.test((e as Error).message)) {
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  let running: ChildProcess | undefined = child;
  const halt = async (signal: NodeJS.Signals) => {
    const c = running;
    running = undefined;
    if (c === undefined) return;
    c.kill(signal);
    await exited(c);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      running = await launch(port, dir, o.appendOnly === true);
    },
    stop: async () => {
      await halt('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
