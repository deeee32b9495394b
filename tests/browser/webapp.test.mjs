// The web app in a real browser, as a person uses it: sign in as the administrator, open Admin →
// REST API → REST API Reference and Try it out GET /api/v1/users on the session (no token
// pasted); add a user in Admin → Users; turn the API token on in Feature Management; sign in as
// that user, copy and regenerate the token in My Profile (the old one then fails from a plain
// HTTP client, the new one works); sign out. A screenshot of each page goes to $SCREENSHOTS
// (docs/screenshots/ when the README's pictures are renewed; a temporary folder otherwise).
//
// Needs the release binary (cargo build --release) and Debian's chromium; .ci/browser runs it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer } from './server.mjs';

const PASSWORD = 'Browser-passw0rd';
const SHOTS = process.env.SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'tessera-shots-'));
let base, stop, browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ base, stop } = await startServer(PASSWORD));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stop?.();
});

/** A new browser context whose page fails the test on any script error or policy violation. */
async function newPage(viewport = { width: 1400, height: 900 }) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => d.accept());
  return { page, problems };
}

/** Saves a screenshot of the page, after checking that every field on it has a label. */
async function shot(page, name, fullPage = true) {
  const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea', (fields) =>
    fields.filter((f) => !f.closest('.swagger-ui') && !(f.labels && f.labels.length) && !f.getAttribute('aria-label'))
      .map((f) => f.outerHTML));
  assert.deepEqual(unlabelled, [], `fields without a label on ${name}`);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

async function signIn(page, user, password) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/app\/account\/login/);
  await page.getByLabel('Username/Email').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(/\/app\/main\/home/);
}

async function status(token) {
  const resp = await fetch(`${base}/api/users/loggedin`, { headers: { Authorization: `Bearer ${token}` } });
  return resp.status;
}

test('administrator: Admin, the reference on the session, a new user, the API token switch', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage();
  await page.goto(`${base}/`);
  await page.waitForURL(/\/app\/account\/login/);
  await shot(page, 'sign-in');
  await signIn(page, 'admin@example.com', PASSWORD);
  await shot(page, 'home');

  await page.getByRole('link', { name: 'Admin' }).click();
  await page.waitForURL(/\/app\/settings/);
  await page.getByRole('heading', { name: 'REST API' }).waitFor();
  await shot(page, 'admin-rest-api');

  // The blue link opens the reference; Try it out works on the session, no token pasted.
  await page.getByRole('link', { name: 'REST API Reference' }).click();
  await page.waitForSelector('#operations-users-listUsers');
  await page.locator('#tessera-session').getByText('Signed in as admin@example.com').waitFor();
  const op = page.locator('#operations-users-listUsers');
  await op.locator('.opblock-summary').click();
  await op.locator('.try-out__btn').click();
  await op.locator('.execute').click();
  const code = op.locator('.live-responses-table .response .response-col_status').first();
  await code.waitFor();
  assert.equal((await code.textContent()).trim(), '200');
  await op.locator('.responses-inner').first().scrollIntoViewIfNeeded();
  await shot(page, 'reference-on-session', false);

  // A write on the session from the reference: POST /api/v1/groups needs the XSRF header,
  // which the page adds.
  const create = page.locator('#operations-groups-createGroup');
  await create.locator('.opblock-summary').click();
  await create.locator('.try-out__btn').click();
  await create.locator('textarea.body-param__text').fill('{"name": "From the reference"}');
  await create.locator('.execute').click();
  const created = create.locator('.live-responses-table .response .response-col_status').first();
  await created.waitFor();
  assert.equal((await created.textContent()).trim(), '201');

  // Admin → Users: add a user.
  await page.goto(`${base}/app/settings/users`);
  const add = page.locator('form[data-api="/api/v1/users"]');
  await add.getByLabel('E-mail').fill('designer@example.com');
  await add.getByLabel('First name').fill('Dana');
  await add.getByLabel('Role').selectOption({ label: 'Designer' });
  await add.getByLabel('Initial password').fill('Designer-passw0rd');
  await Promise.all([page.waitForEvent('load'), add.getByRole('button', { name: 'Add user' }).click()]);
  await page.getByRole('cell', { name: 'designer@example.com' }).first().waitFor();
  await shot(page, 'admin-users');

  // Admin → Groups shows the group made from the reference.
  await page.getByRole('link', { name: 'Groups' }).click();
  await page.getByRole('link', { name: 'From the reference' }).waitFor();
  await shot(page, 'admin-groups');

  // Feature Management: the API token tab, off by default, turned on.
  await page.getByRole('link', { name: 'Feature Management' }).click();
  const toggle = page.getByLabel(/API Token/);
  assert.equal(await toggle.isChecked(), false);
  await toggle.check();
  // Saving reloads the page, which then shows what the server stored.
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save' }).click()]);
  assert.equal(await page.getByLabel(/API Token/).isChecked(), true);
  await shot(page, 'admin-feature-management');

  // Sign Out from the user menu.
  await page.locator('.usermenu summary').click();
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await page.waitForURL(/\/app\/account\/login/);
  assert.deepEqual(problems, []);
});

test('user: My Profile, copy and regenerate the API token, sign out', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage();
  await signIn(page, 'designer@example.com', 'Designer-passw0rd');
  await page.locator('.usermenu summary').click();
  await page.getByRole('link', { name: 'My Profile' }).click();
  await page.getByLabel('First name').waitFor();
  assert.equal(await page.getByLabel('First name').inputValue(), 'Dana');
  await shot(page, 'profile');

  await page.getByRole('link', { name: 'API Token' }).click();
  const field = page.locator('#api-token');
  const before = await field.inputValue();
  assert.equal(await field.getAttribute('type'), 'password', 'masked until shown');
  await page.getByRole('button', { name: 'Show' }).click();
  assert.equal(await field.getAttribute('type'), 'text');
  await page.getByRole('button', { name: 'Copy' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), before);
  assert.equal(await status(before), 200);
  await shot(page, 'profile-api-token');

  await page.getByRole('link', { name: 'Regenerate' }).click();
  await page.getByText('Exercise caution before regenerating an API token.').waitFor();
  await shot(page, 'profile-api-token-regenerate');
  await page.getByRole('button', { name: 'Regenerate' }).click();
  await page.getByText('A new API token was made.').waitFor();
  const after = await page.locator('#api-token').inputValue();
  assert.notEqual(after, before);
  assert.equal(await status(before), 401, 'the old token stops working');
  assert.equal(await status(after), 200, 'the new one works');

  // The session continued: the profile still opens.
  await page.goto(`${base}/app/profile`);
  await page.getByLabel('First name').waitFor();

  await page.locator('.usermenu summary').click();
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await page.waitForURL(/\/app\/account\/login/);
  await page.goto(`${base}/app/main/home`);
  await page.waitForURL(/\/app\/account\/login\?returnTo=%2Fapp%2Fmain%2Fhome/);
  assert.deepEqual(problems, []);
});

test('a narrow screen (375 px) keeps the sign-in and the home usable', { timeout: 60_000 }, async () => {
  const { page, problems } = await newPage({ width: 375, height: 740 });
  await signIn(page, 'admin@example.com', PASSWORD);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the home page scrolls sideways (${width}px)`);
  await shot(page, 'home-375');
  assert.deepEqual(problems, []);
});
