// Real lexrouted processes for the browser tests: `lexrouted dev` (intake, router, gateway, a
// redis-server child, the embedded Kafka) or a lone `lexrouted gateway` on a Redis the test
// owns. Every port is picked by the process (port 0) and read back from its ready file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LEXROUTED = process.env.LEXROUTED ?? 'build/bin/lexrouted';

// Waits until `check()` is truthy, polling; fails with `what` after `timeoutMs`.
export async function eventually(check, what, timeoutMs = 60000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `lexroute-${name}-`));
}

export class Lexrouted {
  constructor(child, dir, readyFile, logFile) {
    this.child = child;
    this.dir = dir;
    this.readyFile = readyFile;
    this.logFile = logFile;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.running = true;
    this.exited.then(() => (this.running = false));
  }

  // `lexrouted dev` with its data in `dir`.
  static dev(dir) {
    return Lexrouted.start(dir, 'dev', ['--data-dir', join(dir, 'data')]);
  }

  // `lexrouted gateway` against `redis`; `httpListen` fixes the worker app's address (a restart
  // must come back where the open page expects it).
  static gateway(dir, redis, httpListen = '127.0.0.1:0') {
    return Lexrouted.start(dir, 'gateway', ['--redis', redis], httpListen);
  }

  static async start(dir, role, args, httpListen = '127.0.0.1:0') {
    const stamp = `${role}-${Date.now()}`;
    const readyFile = join(dir, `${stamp}.ready`);
    const logFile = join(dir, `${stamp}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(
      LEXROUTED,
      [role, '--listen', '127.0.0.1:0', '--http-listen', httpListen, '--ready-file', readyFile, ...args],
      { stdio: ['ignore', log, log] },
    );
    const node = new Lexrouted(child, dir, readyFile, logFile);
    await eventually(
      () => {
        if (!node.running) throw new Error(`lexrouted ${role} exited:\n${node.log()}`);
        return existsSync(readyFile);
      },
      `lexrouted ${role} to be ready`,
      120000,
    );
    const ready = Object.fromEntries(
      readFileSync(readyFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    node.grpc = ready.grpc;
    node.http = ready.http;
    node.redis = ready.redis;
    node.url = `http://${ready.http}`;
    return node;
  }

  log() {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  // SIGTERM, and the clean stop it starts (open offer feeds must end, not hold it up).
  async stop() {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 60000);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}
