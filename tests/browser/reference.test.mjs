// A real browser against the interactive API reference: open it, switch between the API versions,
// authorize with a token, and run "Try it out" on GET /api/v1/users.
//
// Needs the release binary (cargo build --release) and Debian's chromium; .ci/browser runs it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer } from './server.mjs';

const PASSWORD = 'Browser-passw0rd';
let base, stop, browser;

before(async () => {
  ({ base, stop } = await startServer(PASSWORD));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stop?.();
});

async function token() {
  const resp = await fetch(`${base}/api/v1/authentication/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `username=admin%40example.com&password=${PASSWORD}`,
  });
  assert.equal(resp.status, 200);
  return (await resp.json()).access_token;
}

test('the reference switches versions, authorizes, and tries GET /api/v1/users', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.click('text=REST API Reference');
  await page.waitForSelector('.topbar select');

  // 1.0 comes first and is shown first.
  const versions = await page.$$eval('.topbar select option', (options) => options.map((o) => o.textContent));
  assert.deepEqual(versions, ['1.0', '0.9']);
  await page.waitForSelector('#operations-users-listUsers');

  // Switch to 0.9: its operations appear (roles), 1.0's go.
  await page.selectOption('.topbar select', { label: '0.9' });
  await page.waitForSelector('#operations-roles-listRoles');
  assert.equal(await page.$('#operations-users-createUser'), null);

  // And back to 1.0.
  await page.selectOption('.topbar select', { label: '1.0' });
  await page.waitForSelector('#operations-users-listUsers');

  // Authorize with a bearer token.
  await page.click('.btn.authorize');
  await page.fill('.auth-container input', await token());
  await page.click('.auth-btn-wrapper .btn.modal-btn.authorize');
  await page.click('.auth-btn-wrapper .btn-done');

  // Try it out: GET /api/v1/users.
  const op = page.locator('#operations-users-listUsers');
  await op.locator('.opblock-summary').click();
  await op.locator('.try-out__btn').click();
  await op.locator('.execute').click();
  const status = op.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  assert.equal((await status.textContent()).trim(), '200');
  const body = await op.locator('.live-responses-table .response-col_description pre').first().textContent();
  assert.match(body, /admin@example\.com/);
  await page.screenshot({ path: join(tmpdir(), 'tessera-reference.png') });
});
