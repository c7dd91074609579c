// Records read back in the local app: short breaks recorded on the command line
// appear on the "Short breaks and concerns" screen with their dates in words,
// their nights and with whom; a carer's app shows the short breaks and never
// the professionals-only concerns.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { World, chromiumPath, ensureArtifactsDir, seriousViolations, PASSPHRASE } from '../support.mjs';

const world = new World();
let browser;
const shots = ensureArtifactsDir();
const EXPECT_TIMEOUT = 20_000;

async function openApp(who) {
  const app = await world.startApp(who);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(EXPECT_TIMEOUT);
  await page.goto(app.launchUrl);
  await page.getByLabel('Passphrase for this device').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.locator('#online-state').waitFor();
  return { page, context };
}

before(async () => {
  await world.init([
    ['jo', 'carer-okafor', 'foster-carer', 'Jo Okafor'],
    ['alex', 'ssw-morgan', 'supervising-social-worker', 'Alex Morgan'],
  ]);
  await world.startServer();
  for (const who of ['jo', 'alex']) world.enrol(who);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
});

afterEach(() => {
  assert.deepEqual(world.crashes.splice(0), [], 'no psm or psm-server process may crash');
});

after(async () => {
  if (browser) await browser.close();
  await world.close();
});

test('short breaks are read back with their dates in words, nights and with whom; concerns only for professionals', async () => {
  world.psm('alex', 'record-short-break', '--placement', 'pl-amelia-okafor', '--from', '2027-02-06', '--to', '2027-02-13',
    '--with', 'the Reid household');
  world.psm('alex', 'sync');

  const alex = await openApp('alex');
  await alex.page.getByRole('link', { name: 'Short breaks and concerns' }).click();
  const item = alex.page.locator('[data-short-break]').first();
  await item.filter({ hasText: '6 February 2027 to 13 February 2027' }).waitFor();
  const text = await item.textContent();
  assert.match(text, /nights? with the Reid household/);
  assert.match(text, /Recorded by Alex Morgan/);
  await alex.page.getByRole('heading', { name: /Concerns about carers' conduct/ }).waitFor();
  assert.deepEqual(await seriousViolations(alex.page), [], 'accessibility problems on the short breaks screen');
  await alex.page.screenshot({ path: path.join(shots, 'short-breaks.png'), fullPage: true });
  await alex.context.close();

  world.psm('jo', 'sync');
  const jo = await openApp('jo');
  await jo.page.getByRole('link', { name: 'Short breaks' }).click();
  await jo.page.locator('[data-short-break]').first().waitFor();
  assert.equal(await jo.page.getByRole('heading', { name: /Concerns/ }).count(), 0, "a carer's app shows no concerns");
  await jo.context.close();
});
