// The local app in a real browser against real psm-server and psm processes:
// a carer asks for a support meeting while the server is down, it syncs when
// the server is back, the child's social worker sees it with its deadline,
// records the child's views and an action for the carer, the carer sees the
// action, and a conflict made on two devices is settled from the inbox.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { World, chromiumPath, ensureArtifactsDir, seriousViolations, isoDate, stop, PASSPHRASE } from '../support.mjs';

const world = new World();
let browser;
let jo;     // the foster carer's app: { page, origin }
let priya;  // the child's social worker's app
const shots = ensureArtifactsDir();
const EXPECT_TIMEOUT = 20_000;

async function openApp(who, viewport) {
  const app = await world.startApp(who);
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(EXPECT_TIMEOUT);
  await page.goto(app.launchUrl);
  openPages.set(who, page);
  return { page, origin: app.origin, context };
}

// The tab's session token, as the app's own page keeps it.
function tokenOf(page) { return page.evaluate(() => sessionStorage.getItem('psm-session')); }

async function unlock(page) {
  await page.getByLabel('Passphrase for this device').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.locator('#online-state').waitFor();
}

async function screenshot(page, name) {
  await page.evaluate(() => { document.getElementById('toast').textContent = ''; });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function checkAccessible(page, name) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `accessibility problems on the ${name} screen`);
}

async function waitForText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: EXPECT_TIMEOUT });
}

async function syncNowUntil(page, predicate, what) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.locator('#sync-now').click();
    await page.waitForTimeout(1000);
    if (await predicate()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
  }
}

before(async () => {
  await world.init([
    ['jo', 'carer-okafor', 'foster-carer', 'Jo Okafor'],
    ['priya', 'csw-shah', 'child-social-worker', 'Priya Shah'],
    ['alex', 'ssw-morgan', 'supervising-social-worker', 'Alex Morgan'],
    ['lee', 'ftm-walsh', 'fostering-team-manager', 'Lee Walsh'],
  ]);
  await world.startServer();
  for (const who of ['jo', 'priya', 'alex', 'lee']) world.enrol(who);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
});

// What each open page showed when a test ended: the first thing to look at when one fails.
const openPages = new Map();
afterEach(async (t) => {
  for (const [who, page] of openPages) {
    if (!page.isClosed()) await page.screenshot({ path: path.join(shots, `end-of-${t.name.slice(0, 40).replace(/\W+/g, '-')}-${who}.png`), fullPage: true }).catch(() => {});
  }
  assert.deepEqual(world.crashes.splice(0), [], 'no psm or psm-server process may crash');
});

after(async () => {
  if (browser) await browser.close();
  await world.close();
});

test('the app refuses to listen anywhere but loopback', async () => {
  const { spawnSync } = await import('node:child_process');
  const { clientBin } = await import('../support.mjs');
  const r = spawnSync(clientBin, ['--home', world.home('jo'), 'app', '--listen', '0.0.0.0:0'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /loopback only/);
});

test('a carer asks for a support meeting offline; it is sent when the server is back', async () => {
  await world.stopServer();
  jo = await openApp('jo', { width: 390, height: 844 });  // phone width
  await screenshot(jo.page, 'unlock');
  await checkAccessible(jo.page, 'unlock');
  await unlock(jo.page);
  await waitForText(jo.page.locator('#online-state'), 'Offline');

  await jo.page.getByRole('link', { name: /Ask for a support meeting for Amelia/ }).click();
  await jo.page.getByLabel('Why is support needed?').fill('Amelia is refusing school and bedtimes have become very hard');
  await jo.page.getByRole('button', { name: 'Ask for the meeting' }).click();
  const result = jo.page.locator('#request-result');
  await waitForText(result, 'Your request is saved on this device.');
  await waitForText(result, 'The meeting must be held by');
  await waitForText(result, 'Saved on this device, waiting to send');
  await waitForText(jo.page.locator('#waiting-count'), '1 change waiting to send');
  await screenshot(jo.page, 'carer-request-waiting');
  await checkAccessible(jo.page, 'request a meeting');

  await jo.page.getByRole('link', { name: 'Meetings' }).click();
  await waitForText(jo.page.locator('main'), 'Saved on this device, waiting to send');

  await world.startServer();
  await syncNowUntil(jo.page, async () => (await jo.page.locator('#waiting-count').textContent()).startsWith('0 changes'),
    'the request to be sent');
  await waitForText(jo.page.locator('#online-state'), 'Online');
  await waitForText(jo.page.locator('main'), 'Accepted by the server');
  await screenshot(jo.page, 'carer-meetings');
  await checkAccessible(jo.page, 'meetings');
});

test("the social worker sees the request with its deadline, records the child's views and an action for the carer", async () => {
  priya = await openApp('priya', { width: 1280, height: 900 });
  await unlock(priya.page);
  await syncNowUntil(priya.page, async () => (await priya.page.locator('main').textContent()).includes('Placement Support Meeting'),
    'the request to arrive');
  await screenshot(priya.page, 'social-worker-caseload');
  await checkAccessible(priya.page, 'caseload');
  await priya.page.getByRole('link', { name: 'Meetings' }).click();
  await waitForText(priya.page.locator('main'), 'To be held by');
  await waitForText(priya.page.locator('main'), 'Amelia is refusing school');

  // Home visit: the child's and the carer's views, in one go.
  await priya.page.getByRole('link', { name: 'Home visit' }).click();
  await priya.page.getByLabel("The child's views, in their own words").fill('I like living here but I miss my brother');
  await priya.page.getByLabel("The foster carer's views").fill('We would welcome a monthly weekend of respite');
  await screenshot(priya.page, 'home-visit');
  await checkAccessible(priya.page, 'home visit');
  await priya.page.getByRole('button', { name: 'Save on this device' }).click();
  await waitForText(priya.page.locator('main'), "Saved on this device: The child's views, The foster carer's views");

  await priya.page.getByRole('link', { name: 'See the meeting' }).click();
  await waitForText(priya.page.locator('main'), 'I like living here but I miss my brother');
  // The child's views stay with the professionals unless she chose to share them.
  await waitForText(priya.page.locator('main li').filter({ hasText: 'I miss my brother' }), 'professionals only');
  const share = priya.page.getByRole('form', { name: 'Add views' }).getByLabel('Share these views with the foster carers');
  assert.equal(await share.isChecked(), false, 'sharing views with the carers is a choice, unticked');
  const actionForm = priya.page.getByRole('form', { name: 'Agree an action' });
  await actionForm.getByLabel('What will be done').fill('Arrange a weekly call between Amelia and her brother');
  await actionForm.getByLabel('Who will do it').selectOption('carer-okafor');
  await actionForm.getByLabel('Due by').fill(isoDate(14));
  await actionForm.getByRole('button', { name: 'Save action' }).click();
  await waitForText(priya.page.locator('main'), 'Arrange a weekly call between Amelia and her brother');
  await syncNowUntil(priya.page, async () => (await priya.page.locator('#waiting-count').textContent()).startsWith('0 changes'),
    "the views and action to be sent");
});

test('the chair arranges the meeting, records attendance, a note and support, and is told what is missing before the minutes close', async () => {
  const lee = await openApp('lee', { width: 1280, height: 900 });
  await unlock(lee.page);
  // The chair is told of the request in the notifications inbox, and goes to the meeting from there.
  await lee.page.getByRole('link', { name: 'Notifications' }).click();
  await syncNowUntil(lee.page, async () => (await lee.page.locator('main').textContent()).includes('Placement Support Meeting for Amelia Brooks (placed with Jo Okafor) requested by'),
    'the chair to be told of the request');
  await screenshot(lee.page, 'notifications');
  await checkAccessible(lee.page, 'notifications');
  await lee.page.getByRole('link', { name: 'Open the meeting' }).first().click();
  await waitForText(lee.page.locator('main'), 'To be held by');

  const arrange = lee.page.getByRole('form', { name: 'Arrange the meeting' });
  // Arranged for yesterday morning, so that it can be recorded as held before attendance.
  await arrange.getByLabel('Date and time (UK time)').fill(`${isoDate(-1)}T10:00`);
  await arrange.getByLabel('Where').fill('Family centre, Oak Road');
  await arrange.getByLabel('Who takes the minutes').selectOption('ssw-morgan');
  await arrange.getByRole('button', { name: 'Save and send invitations' }).click();
  await waitForText(lee.page.locator('main'), 'Arranged for');
  const held = lee.page.getByRole('form', { name: 'Record that the meeting was held' });
  await held.getByLabel('When it took place (UK time)').fill(`${isoDate(-1)}T10:15`);
  await held.getByRole('button', { name: 'Record that it was held' }).click();
  await waitForText(lee.page.locator('main strong').first(), 'Held');
  const firstInvitation = lee.page.locator('#main tbody tr').first();
  await firstInvitation.waitFor();
  await firstInvitation.locator('select').selectOption('attended');
  await firstInvitation.getByRole('button', { name: 'Save' }).click();
  await waitForText(lee.page.locator('#main tbody tr').first(), 'Attended');

  const note = lee.page.getByRole('form', { name: 'Add an agenda note' });
  // Notes under the child's views start as professionals-only; others do not.
  const noteOnly = note.getByLabel('Professionals only (never shown to the foster carers)');
  assert.equal(await noteOnly.isChecked(), false);
  await note.getByLabel('Agenda item').selectOption('child-views');
  assert.equal(await noteOnly.isChecked(), true, "a note under the child's views is professionals-only by default");
  await note.getByLabel('Agenda item').selectOption('purpose');
  assert.equal(await noteOnly.isChecked(), false);
  await note.getByLabel('Note', { exact: true }).fill('Jo and Sam would welcome a monthly weekend');
  await note.getByRole('button', { name: 'Add note' }).click();
  await waitForText(lee.page.locator('main'), 'Jo and Sam would welcome a monthly weekend');
  const support = lee.page.getByRole('form', { name: 'Add support to the plan' });
  await support.getByLabel('Kind of support').selectOption('respite');
  await support.getByLabel('What support').fill('One weekend a month with the Reid household');
  await support.getByRole('button', { name: 'Add to the plan' }).click();
  await waitForText(lee.page.locator('main'), 'Respite: One weekend a month with the Reid household');

  // Finalising now is refused, and each missing item is listed.
  await lee.page.getByLabel('Review by').fill(isoDate(49));
  await lee.page.getByRole('button', { name: 'Finalise the minutes' }).click();
  const missing = lee.page.locator('#finalise-result');
  await waitForText(missing, 'Still missing');
  await waitForText(missing.locator('li'), "the IRO's views");
  assert.ok(await missing.locator('li').count() >= 2, 'every missing item on its own line');
  await screenshot(lee.page, 'meeting');
  await checkAccessible(lee.page, 'meeting');
  await syncNowUntil(lee.page, async () => (await lee.page.locator('#waiting-count').textContent()).startsWith('0 changes'),
    "the chair's work to be sent");
  await lee.context.close();
});

test("the carer's app shows the action, and not the child's professionals-only views", async () => {
  await jo.page.getByRole('link', { name: 'My actions' }).click();
  await syncNowUntil(jo.page, async () => (await jo.page.locator('main').textContent()).includes('Arrange a weekly call'),
    'the action to reach the carer');
  await screenshot(jo.page, 'carer-actions');
  await checkAccessible(jo.page, 'my actions');
  await jo.page.getByRole('link', { name: 'From this meeting' }).click();
  await waitForText(jo.page.locator('main'), 'We would welcome a monthly weekend of respite');
  assert.equal(await jo.page.getByText('I miss my brother').count(), 0);

  // The carer adds her own views to the meeting.
  await jo.page.getByLabel('Views, in their own words').fill('Amelia settles better after a phone call with her brother');
  await jo.page.getByRole('button', { name: 'Save views' }).click();
  await waitForText(jo.page.locator('main li'), 'Amelia settles better after a phone call with her brother');
  await syncNowUntil(jo.page, async () => (await jo.page.locator('#waiting-count').textContent()).startsWith('0 changes'),
    "the carer's views to be sent");
  await waitForText(jo.page.locator('main li').filter({ hasText: 'Amelia settles better' }), 'Accepted by the server');
});

test('a conflict made on two devices is settled from the inbox', async () => {
  world.psm('alex', 'sync');
  const actions = world.psmJson('alex', 'actions');
  const action = actions.find((a) => a.text.startsWith('Arrange a weekly call'));
  assert.ok(action, 'the action reached the supervising social worker');

  // Both change the same action while the server is down.
  await world.stopServer();
  await priya.page.getByRole('link', { name: 'Actions' }).click();
  await priya.page.getByText('Change what was agreed').click();
  const change = priya.page.getByRole('form', { name: /^Change: Arrange a weekly call/ });
  await change.getByLabel('What will be done').fill('Arrange a weekly video call with her brother');
  await change.getByRole('button', { name: 'Save the change' }).click();
  await waitForText(priya.page.locator('#waiting-count'), '1 change waiting to send');
  world.psm('alex', 'edit-action', action.id, '--text', 'Arrange a fortnightly visit to her brother');

  await world.startServer();
  world.psm('alex', 'sync');
  await priya.page.getByRole('link', { name: /^Conflicts/ }).click();
  await syncNowUntil(priya.page, async () => (await priya.page.locator('[data-conflict]').count()) === 1, 'the conflict to appear');
  const card = priya.page.locator('[data-conflict]');
  await waitForText(card, 'Arrange a weekly video call with her brother');
  await waitForText(card, 'Arrange a fortnightly visit to her brother');
  await waitForText(card, 'Priya Shah, on this device');
  await waitForText(card, 'Alex Morgan, on another device');
  await screenshot(priya.page, 'conflicts');
  await checkAccessible(priya.page, 'conflicts');

  const otherValue = await card.locator('.side-by-side > div').nth(1).locator('.value').textContent();
  await card.getByRole('button', { name: 'Keep the other version' }).click();
  await waitForText(priya.page.locator('main'), 'Nothing to settle.');
  await syncNowUntil(priya.page, async () => (await priya.page.locator('#waiting-count').textContent()).startsWith('0 changes'),
    'the resolution to be sent');
  world.psm('alex', 'sync');
  const settled = world.psmJson('alex', 'conflicts');
  assert.equal(settled.length, 1);
  assert.equal(settled[0].status, 'resolved');
  const after = world.psmJson('alex', 'actions').find((a) => a.id === action.id);
  assert.equal(after.text, otherValue);
});

test('locking clears the records from the page at once, even while the person is typing, and gives the typing back', async () => {
  await priya.page.getByRole('link', { name: 'Meetings' }).click();
  await priya.page.getByRole('link', { name: 'Placement Support Meeting' }).first().click();
  await waitForText(priya.page.locator('main'), 'I like living here but I miss my brother');
  const actionForm = priya.page.getByRole('form', { name: 'Agree an action' });
  await actionForm.getByLabel('What will be done').fill('Book the family centre for the review');

  // Locked from elsewhere (another tab, or the idle timer) while the form is half filled in.
  const token = await tokenOf(priya.page);
  const locked = await fetch(`${priya.origin}/api/lock`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: priya.origin, 'X-PSM-Session': token }, body: '{}' });
  assert.equal(locked.status, 200);
  const data = await fetch(`${priya.origin}/api/meetings`, { headers: { 'X-PSM-Session': token } });
  assert.equal(data.status, 423);
  assert.match((await data.json()).error, /locked/);
  await priya.page.getByLabel('Passphrase for this device').waitFor();
  const shown = await priya.page.locator('body').textContent();
  for (const record of ['I like living here', 'Amelia', 'Arrange a weekly', 'Book the family centre']) {
    assert.ok(!shown.includes(record), `the locked page still shows "${record}"`);
  }
  assert.equal(await priya.page.locator('textarea').count(), 0);

  // Unlocking goes back to the meeting, with what had been typed.
  await unlock(priya.page);
  await waitForText(priya.page.locator('main'), 'I like living here but I miss my brother');
  assert.equal(await priya.page.getByRole('form', { name: 'Agree an action' }).getByLabel('What will be done').inputValue(),
    'Book the family centre for the review');
});

test('state-changing requests need the session and the app\'s own origin', async () => {
  const { origin } = priya;
  const noSession = await fetch(`${origin}/api/sync`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin }, body: '{}' });
  assert.equal(noSession.status, 401);
  assert.deepEqual(await priya.context.cookies(), [], 'the app sets no cookie');
  const token = await tokenOf(priya.page);
  assert.match(token, /^[0-9a-f]{64}$/);
  const session = { 'X-PSM-Session': token };
  const foreign = await fetch(`${origin}/api/lock`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example', ...session }, body: '{}' });
  assert.equal(foreign.status, 403);
  const state = await fetch(`${origin}/api/state`, { headers: session });
  assert.equal(state.headers.get('cache-control'), 'no-store');
  assert.match(state.headers.get('content-security-policy'), /default-src 'none'/);
  assert.equal((await state.json()).locked, false);
  const locked = await fetch(`${origin}/api/lock`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin, ...session }, body: '{}' });
  assert.equal(locked.status, 200);
  const data = await fetch(`${origin}/api/meetings`, { headers: session });
  assert.equal(data.status, 423);
  await priya.page.getByLabel('Passphrase for this device').waitFor();
});

test('the launch address leaves the address bar at once and opens the app once; a reload keeps the tab, a new tab needs a new address', async () => {
  const app = await world.startApp('alex');
  const secret = new URL(app.launchUrl).hash.slice('#launch='.length);
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  page.setDefaultTimeout(EXPECT_TIMEOUT);
  await page.goto(app.launchUrl);
  await page.getByLabel('Passphrase for this device').waitFor();
  assert.ok(!page.url().includes(secret), `the address bar still holds the launch secret: ${page.url()}`);
  assert.equal(page.url(), `${app.origin}/`);
  assert.ok(!(await page.evaluate(() => JSON.stringify(sessionStorage))).includes(secret));
  await page.goBack();  // the entry before is the empty tab; the launch address is in no entry
  assert.ok(!page.url().includes(secret));
  await page.goForward();
  assert.equal(page.url(), `${app.origin}/`);

  await page.reload();
  await page.getByLabel('Passphrase for this device').waitFor();
  await unlock(page);

  // The printed address again, in another tab or browser: already used.
  const other = await browser.newContext();
  const second = await other.newPage();
  second.setDefaultTimeout(EXPECT_TIMEOUT);
  await second.goto(app.launchUrl);
  await waitForText(second.locator('main'), 'This address has been used already');
  assert.equal(await second.locator('#online-state').count(), 0);
  // A tab opened on the app without an address is not connected.
  const bare = await other.newPage();
  await bare.goto(`${app.origin}/`);
  await waitForText(bare.locator('main'), 'This tab is not connected');
  // Enter in psm app's terminal prints a new address, which opens the app in that tab.
  const fresh = await world.newAddress(app);
  assert.notEqual(fresh, app.launchUrl);
  await second.goto(fresh);
  await second.locator('#online-state').waitFor();  // the app is unlocked already: one app, one replica
  await context.close();
  await other.close();
  await stop(app.proc);
});

test('a page or program on another port of 127.0.0.1 cannot use the app\'s session', async () => {
  const app = await world.startApp('alex');
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(EXPECT_TIMEOUT);
  await page.goto(app.launchUrl);
  await unlock(page);
  const token = await tokenOf(page);
  const meetings = await fetch(`${app.origin}/api/meetings`, { headers: { 'X-PSM-Session': token } });
  assert.equal(meetings.status, 200, 'the app is unlocked and serving records');

  // Another local program: it serves a page, and keeps whatever the browser sends it.
  const received = [];
  const other = http.createServer((req, res) => {
    received.push(req.headers.cookie || '');
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>another program</title><p>hello</p>');
  });
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
  const otherOrigin = `http://127.0.0.1:${other.address().port}`;
  try {
    const stranger = await context.newPage();
    await stranger.goto(`${otherOrigin}/`);
    const tries = await stranger.evaluate(async (appOrigin) => {
      const attempt = async (init) => {
        try {
          const r = await fetch(`${appOrigin}/api/meetings`, init);
          return `read ${r.status}: ${await r.text()}`;
        } catch { return 'blocked'; }
      };
      return [await attempt({ credentials: 'include' }),
        await attempt({ credentials: 'include', headers: { 'X-PSM-Session': 'guess' } }),
        // Even an opaque answer is refused (Cross-Origin-Resource-Policy: same-origin).
        await attempt({ credentials: 'include', mode: 'no-cors' })];
    }, app.origin);
    assert.deepEqual(tries, ['blocked', 'blocked', 'blocked'], 'the other page read nothing');
    assert.deepEqual(await stranger.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(await context.cookies(otherOrigin), [], 'no cookie of the app reaches another port');

    // Whatever the browser sent the other program, replayed from outside the browser, opens nothing.
    assert.ok(received.length > 0);
    for (const cookie of [...received, `psm_session=${token}`, `psm_session=${new URL(app.launchUrl).hash.slice(8)}`]) {
      const replay = await fetch(`${app.origin}/api/meetings`, { headers: cookie ? { Cookie: cookie } : {} });
      assert.equal(replay.status, 401, `a replayed cookie (${cookie ? 'set' : 'none'}) was accepted`);
      const body = await replay.json();
      assert.equal(body.ok, false);
      assert.ok(!Array.isArray(body));
    }
  } finally {
    await new Promise((resolve) => other.close(resolve));
    await context.close();
    await stop(app.proc);
  }
});

test('the app locks itself after the idle time, and the records need the passphrase again', async () => {
  const app = await world.startApp('jo', ['--lock-after', '5']);
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  page.setDefaultTimeout(EXPECT_TIMEOUT);
  await page.goto(app.launchUrl);
  await unlock(page);
  await waitForText(page.locator('main'), 'Amelia Brooks');
  // No clicks from here on: the page's own status polling does not count as use.
  await page.getByLabel('Passphrase for this device').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByText('Amelia Brooks').count(), 0);
  const res = await fetch(`${app.origin}/api/placements`, { headers: { 'X-PSM-Session': await tokenOf(page) } });
  assert.equal(res.status, 423);
  await context.close();
});
