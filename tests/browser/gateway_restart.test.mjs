// The gateway restarts while a staff member's page is open: the page reconnects by itself, keeps
// its session (sessions live in Redis, not in the gateway), and the offer made while the gateway
// was down still arrives.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { getTask, reviewer, setUp, submit } from './lib/firm.mjs';
import { Lexrouted, removeDir, tempDir } from './lib/lexrouted.mjs';
import {
  launchBrowser, offerCard, openWorkerApp, signIn, startShift, waitForFeed, workCard,
} from './lib/worker_app.mjs';

let dir, dev, gateway, browser, firm;

before(async () => {
  dir = tempDir('gateway-restart');
  // Intake, router, Redis and Kafka in `dev`; the page talks to a gateway of its own that can
  // restart without taking them along.
  dev = await Lexrouted.dev(dir);
  gateway = await Lexrouted.gateway(dir, dev.redis);
  firm = await setUp(dev, [reviewer('bel-niamh', 'Niamh Byrne', 'Europe/Belfast')]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gateway?.stop();
  await dev?.stop();
  if (process.exitCode) console.log(gateway?.log(), dev?.log());
  removeDir(dir);
});

test('the page reconnects after a gateway restart and the next offer still arrives', async () => {
  const page = await openWorkerApp(browser, gateway.url);
  await signIn(page, firm.tokens['bel-niamh'], 'Niamh Byrne');
  await startShift(page);
  const first = await submit(dev, firm.apiKey, { matter: 'm-9' });
  await page.locator(offerCard(first)).waitFor({ timeout: 90000 });

  // SIGTERM with the page's offer feed open: the gateway must still stop promptly.
  const started = Date.now();
  const stopped = await gateway.stop();
  assert.equal(stopped.code, 0, 'a clean stop');
  assert.ok(Date.now() - started < 15000, `stopped in ${Date.now() - started} ms`);
  await page.waitForSelector('#feed-state:has-text("reconnecting")');

  // An offer made while no gateway is up.
  const second = await submit(dev, firm.apiKey, { matter: 'm-10' });
  const offered = await getTask(dev, firm.apiKey, second);
  assert.ok(['QUEUED', 'OFFERED'].includes(offered.status), offered.status);

  gateway = await Lexrouted.gateway(dir, dev.redis, gateway.http);
  await page.locator(offerCard(second)).waitFor({ timeout: 90000 });
  await waitForFeed(page);
  assert.equal(await page.locator(offerCard(first)).count(), 1, 'the first offer is still there');
  assert.equal(await page.locator('#offers li').count(), 2, 'and nothing twice');

  // Same session, same CSRF token: the page acts without signing in again.
  await page.locator(offerCard(second)).locator('.accept').click();
  await page.locator(workCard(second)).waitFor();
  assert.equal((await getTask(dev, firm.apiKey, second)).status, 'ACCEPTED');
});
