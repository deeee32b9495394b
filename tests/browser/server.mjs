// What the browser tests share: a Tessera started on a fresh data directory (port 0; the
// address read from its "listening" log line) and Debian's chromium through playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const BIN = process.env.TESSERA_BIN ?? new URL('../../target/release/tessera', import.meta.url).pathname;

/** Starts a server whose administrator has `password`; resolves to {base, stop}. */
export async function startServer(password) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-browser-'));
  const server = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-format', 'json'], {
    env: { ...process.env, TESSERA_ADMIN_PASSWORD: password, RUST_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The server says where it listens; wait for that line (bounded by the test runner's timeout).
  const base = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: server.stdout });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.message === 'listening') resolve(`http://${entry.addr}`);
      } catch { /* not a log line (the first-start banner) */ }
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const stop = () => {
    server.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, stop };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
