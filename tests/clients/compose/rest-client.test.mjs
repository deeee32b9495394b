// The Compose SDK's REST layer, unchanged, against a live Tessera (TESSERA_URL, TESSERA_USER,
// TESSERA_PASSWORD; .ci/clients starts the server): its HttpClient with the password and bearer
// authenticators, the calls the SDK makes when it starts (api/globals, AI settings, system
// settings, the palette of the design settings), and the dashboard and widget calls its
// dashboard models make. Data queries (JAQL) belong to the data side.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BearerAuthenticator, HttpClient, PasswordAuthenticator } from '@sisense/sdk-rest-client';

const URL = process.env.TESSERA_URL;
const USER = process.env.TESSERA_USER;
const PASSWORD = process.env.TESSERA_PASSWORD;
// What the SDK sends with every call once it has read the system settings.
const SDK_HEADERS = { 'x-sisense-sdk': 'csdk-sdk-ui', 'x-sisense-embed': 'compose-sdk' };
let client, token;

before(async () => {
  const auth = new PasswordAuthenticator(URL, USER, PASSWORD);
  client = new HttpClient(URL, auth, 'sdk-ui-2.27.0', SDK_HEADERS);
  assert.equal(await client.login(), true, 'the password authenticator signs in');
  const resp = await fetch(`${URL}/api/v1/authentication/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `username=${encodeURIComponent(USER)}&password=${encodeURIComponent(PASSWORD)}`,
  });
  token = (await resp.json()).access_token;
});

test('the start-up calls: globals, AI settings, system settings, the palette', async () => {
  const globals = await client.get('api/globals');
  assert.ok(globals, 'serverSettingsNotLoaded otherwise');
  const design = globals.designSettings;
  for (const key of ['brandColor', 'backgroundColor', 'primaryButtonTextColor', 'primaryButtonHoverColor']) {
    assert.equal(typeof design.general[key], 'string', key);
  }
  for (const key of ['widgetTextColor', 'widgetBackgroundColor', 'layoutBackgroundColor', 'widgetSpacing']) {
    assert.equal(typeof design.dashboards[key], 'string', key);
  }
  assert.equal(typeof design.typography.fontFamily, 'string');
  assert.ok(Array.isArray(globals.features));
  assert.equal(globals.user.email, USER);
  assert.equal(globals.user.tenant.name, 'system');
  assert.equal(typeof globals.user.userAuth.dashboards, 'object');

  const ai = await client.get('api/v2/settings/ai');
  assert.equal(ai.narration.enabled, false);
  const system = await client.get('api/v1/settings/system');
  assert.equal(system.tracking.apiTelemetry, false);
  const palette = await client.get(`api/palettes/${design.dashboards.colorPaletteName}`);
  assert.equal(palette.name, 'Vivid');
  assert.ok(palette.colors.length >= 6);
  assert.equal(await client.post('api/activities/', { action: 'csdk-start' }), undefined);
});

test('dashboards and widgets through the bearer authenticator', async () => {
  const bearer = new HttpClient(URL, new BearerAuthenticator(URL, token), 'sdk-ui-2.27.0', SDK_HEADERS);
  const created = await bearer.post('api/v1/dashboards', { title: 'Compose SDK', datasource: { title: 'Sample ECommerce' } });
  assert.equal(created.title, 'Compose SDK');
  const oid = created.oid;
  const listed = await bearer.get('api/v1/dashboards?fields=oid,title&expand=owner');
  assert.ok(listed.some((d) => d.oid === oid));
  const widget = await bearer.post(`api/v1/dashboards/${oid}/widgets`, { title: 'Revenue', type: 'chart/column' });
  const changed = await bearer.patch(`api/v1/dashboards/${oid}/widgets/${widget.oid}`, { title: 'Revenue by month' });
  assert.equal(changed.title, 'Revenue by month');
  const widgets = await bearer.get(`api/v1/dashboards/${oid}/widgets`);
  assert.deepEqual(widgets.map((w) => w.title), ['Revenue by month']);
  const dashboard = await bearer.get(`api/v1/dashboards/${oid}?adminAccess=false`);
  assert.equal(dashboard.datasource.title, 'Sample ECommerce');
  assert.equal(await bearer.delete(`api/v1/dashboards/${oid}/widgets/${widget.oid}`), undefined);
  assert.equal(await bearer.delete(`api/v1/dashboards/${oid}`), undefined);
});

test('errors arrive as the SDK reports them: status, code and message of the envelope', async () => {
  await assert.rejects(client.get('api/v1/themes/0123456789abcdef01234567'), (e) => {
    assert.equal(e.status, '404');
    assert.equal(e.interpolationOptions.errorCode, 1203);
    assert.match(e.interpolationOptions.errorMessage, /Theme .* not found/);
    return true;
  });
  const bad = new HttpClient(URL, new BearerAuthenticator(URL, 'not-a-token'), 'sdk-ui-2.27.0');
  await assert.rejects(bad.get('api/globals'));
});
