// A reviewer's day in the worker app: sign in, start a shift, get an offer a firm submitted over
// gRPC, accept it, complete it with an outcome that fits its kind; the firm sees it COMPLETED.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { getTask, lexroute, reviewer, setUp, submit } from './lib/firm.mjs';
import { eventually, Lexrouted, removeDir, tempDir } from './lib/lexrouted.mjs';
import { launchBrowser, offerCard, openWorkerApp, signIn, startShift, workCard } from './lib/worker_app.mjs';

let dir, dev, browser, firm;

before(async () => {
  dir = tempDir('worker-flow');
  dev = await Lexrouted.dev(dir);
  firm = await setUp(dev, [reviewer('mnl-ana', 'Ana Cruz', 'Asia/Manila')]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await dev?.stop();
  if (process.exitCode) console.log(dev?.log());
  removeDir(dir);
});

test('sign in, start a shift, accept and complete an offer the firm submitted', async () => {
  const page = await openWorkerApp(browser, dev.url);
  await signIn(page, firm.tokens['mnl-ana'], 'Ana Cruz');
  assert.ok(!page.url().includes(firm.tokens['mnl-ana']), 'the token never sits in a URL');
  assert.equal(await page.inputValue('#staff-token'), '', 'the token is not kept in the form');
  const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'lx_session');
  assert.ok(cookie, 'a session cookie was set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/');
  assert.notEqual(cookie.value, firm.tokens['mnl-ana'], 'the cookie is a session id, not the token');
  await startShift(page);

  const review = await submit(dev, firm.apiKey, { matter: 'm-2041', priority: 7, effort: 25 });
  const privilege = await submit(dev, firm.apiKey, {
    matter: 'm-2041', kind: 'privilege-review', skill: 'privilege:3', priority: 4, effort: 40,
    ref: 'https://dms.acme.example/m-2041/doc/9',
  });
  // The router's first consumer-group join takes a few seconds on the embedded Kafka.
  const card = page.locator(offerCard(review));
  await card.waitFor({ timeout: 90000 });
  await page.locator(offerCard(privilege)).waitFor({ timeout: 90000 });

  assert.equal(await card.locator('.kind').textContent(), 'Document review');
  assert.equal(await card.locator('.matter').textContent(), 'm-2041');
  assert.equal(await card.locator('.priority').textContent(), 'priority 7');
  assert.equal(await card.locator('.effort').textContent(), '25 min');
  assert.equal(await card.locator('.document').getAttribute('href'),
    'https://dms.acme.example/m-2041/doc/7');
  // The deadline reads in Ana's zone (Manila), not the browser's (Los Angeles).
  assert.match(await card.locator('.deadline').textContent(), /GMT\+8/);
  assert.match(await card.locator('.countdown').textContent(), /^expires in \d+:\d\d$/);

  await card.locator('.accept').click();
  const work = page.locator(workCard(review));
  await work.waitFor();
  assert.equal(await page.locator(offerCard(review)).count(), 0, 'accepted work leaves the offers');
  assert.deepEqual(await work.locator('.outcome option').evaluateAll((os) => os.map((o) => o.value)),
    ['responsive', 'not-responsive', 'privileged', 'needs-second-level-review']);
  assert.equal((await getTask(dev, firm.apiKey, review)).status, 'ACCEPTED');

  // The main screen, one offer open and one task in hand (LEXROUTE_SCREENSHOT: for the docs).
  mkdirSync(join(dir, 'shots'), { recursive: true });
  const shot = process.env.LEXROUTE_SCREENSHOT ?? join(dir, 'shots', 'worker-app.png');
  await page.screenshot({ path: shot, fullPage: true });

  await work.locator('.outcome').selectOption('needs-second-level-review');
  await work.locator('.note').fill('Custodian email thread; partner should look.');
  await work.locator('.complete').click();
  await page.locator(workCard(review)).waitFor({ state: 'detached' });

  const done = await getTask(dev, firm.apiKey, review);
  assert.equal(done.status, 'COMPLETED');
  assert.equal(done.staff, 'mnl-ana');
  assert.equal(done.outcome, 'needs-second-level-review');

  // A privilege review offers its own outcomes.
  await page.locator(offerCard(privilege)).locator('.accept').click();
  const privilegeWork = page.locator(workCard(privilege));
  await privilegeWork.waitFor();
  assert.deepEqual(
    await privilegeWork.locator('.outcome option').evaluateAll((os) => os.map((o) => o.value)),
    ['privileged', 'not-privileged']);
  await privilegeWork.locator('.outcome').selectOption('not-privileged');
  await privilegeWork.locator('.complete').click();
  await eventually(async () => (await getTask(dev, firm.apiKey, privilege)).status === 'COMPLETED',
    'the privilege review to be COMPLETED');
  assert.equal((await getTask(dev, firm.apiKey, privilege)).outcome, 'not-privileged');
});

test('a break, a withdrawn offer, and a rejected one with its reason recorded', async () => {
  const page = await openWorkerApp(browser, dev.url);
  await signIn(page, firm.tokens['mnl-ana'], 'Ana Cruz');
  await page.click('#take-break');
  await page.waitForSelector('#shift-state[data-availability="AVAILABILITY_ON_BREAK"]');
  assert.equal(await page.textContent('#shift-state'), 'On a break');
  await startShift(page);

  // The firm cancels an offer before Ana answers it: it leaves her page by itself.
  const cancelled = await submit(dev, firm.apiKey, { matter: 'm-3099' });
  await page.locator(offerCard(cancelled)).waitFor({ timeout: 90000 });
  await lexroute(dev.grpc, 'task', '--api-key', firm.apiKey, 'cancel', cancelled, '--reason',
    'settled');
  await page.locator(offerCard(cancelled)).waitFor({ state: 'detached' });

  const id = await submit(dev, firm.apiKey, { matter: 'm-3100' });
  const card = page.locator(offerCard(id));
  await card.waitFor({ timeout: 90000 });
  await card.locator('.reason').fill('conflict: I reviewed for the other side');
  await card.locator('.reject').click();
  await card.waitFor({ state: 'detached' });
  const task = await getTask(dev, firm.apiKey, id);
  assert.notEqual(task.status, 'OFFERED');
  assert.match(task.text, /conflict: I reviewed for the other side/);
});
