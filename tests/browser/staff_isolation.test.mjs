// Staff member A never sees or acts on staff member B's offer: not in A's page, and not when A
// calls the JSON API directly with A's own session. Also the door's guards: no session, no CSRF
// token, a cross-site Origin, a token in the URL are all refused and change nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { getTask, reviewer, setUp, submit } from './lib/firm.mjs';
import { Lexrouted, removeDir, tempDir } from './lib/lexrouted.mjs';
import {
  callApi, launchBrowser, offerCard, openWorkerApp, signIn, startShift, waitForFeed, workCard,
} from './lib/worker_app.mjs';

let dir, dev, browser, firm;

before(async () => {
  dir = tempDir('staff-isolation');
  dev = await Lexrouted.dev(dir);
  firm = await setUp(dev, [
    reviewer('mnl-ana', 'Ana Cruz', 'Asia/Manila'),
    reviewer('pun-meera', 'Meera Iyer', 'Asia/Kolkata'),
  ]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await dev?.stop();
  if (process.exitCode) console.log(dev?.log());
  removeDir(dir);
});

// Node's own HTTP client: any header a forger likes, the victim's cookie if it has it.
async function forge(path, { cookie, csrf, origin, method = 'POST', body = {} } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (cookie) headers.Cookie = `lx_session=${cookie}`;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  if (origin) headers.Origin = origin;
  const res = await fetch(dev.url + path, {
    method, headers, body: method === 'POST' ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

test("A cannot see or act on B's offer, through the page or the JSON API", async () => {
  const ana = await openWorkerApp(browser, dev.url);
  const meera = await openWorkerApp(browser, dev.url);
  await signIn(ana, firm.tokens['mnl-ana'], 'Ana Cruz');
  await signIn(meera, firm.tokens['pun-meera'], 'Meera Iyer');
  // Only Meera is on shift, so the offer can only go to her.
  await startShift(meera);
  const id = await submit(dev, firm.apiKey, { matter: 'm-77' });
  await meera.locator(offerCard(id)).waitFor({ timeout: 90000 });
  assert.equal((await getTask(dev, firm.apiKey, id)).staff, 'pun-meera');

  // Ana comes on shift and reconnects her feed: everything of hers is sent, none of Meera's.
  await startShift(ana);
  await ana.reload();
  await waitForFeed(ana);
  assert.equal(await ana.locator('#offers li').count(), 0);
  assert.equal(await ana.locator(offerCard(id)).count(), 0);

  // Ana's own, valid session and CSRF token: each action on Meera's task is refused.
  for (const [path, body] of [
    ['/api/v1/offers/accept', { taskId: id }],
    ['/api/v1/offers/reject', { taskId: id, reason: 'not mine' }],
    ['/api/v1/tasks/complete', { taskId: id, outcome: 'responsive' }],
  ]) {
    const answer = await callApi(ana, path, body);
    assert.ok([403, 404, 409].includes(answer.status), `${path}: ${answer.status}`);
    assert.ok(answer.body.error, `${path} says why`);
  }
  let task = await getTask(dev, firm.apiKey, id);
  assert.equal(task.status, 'OFFERED', 'nothing changed');
  assert.equal(task.staff, 'pun-meera');
  assert.equal(await ana.locator(workCard(id)).count(), 0);

  // Meera still can.
  await meera.locator(offerCard(id)).locator('.accept').click();
  await meera.locator(workCard(id)).waitFor();
  const answer = await callApi(ana, '/api/v1/tasks/complete', { taskId: id, outcome: 'responsive' });
  assert.ok([403, 404, 409].includes(answer.status), `complete: ${answer.status}`);
  task = await getTask(dev, firm.apiKey, id);
  assert.equal(task.status, 'ACCEPTED');
  assert.equal(task.outcome, '');

  // Ana ends her shift, so what follows is offered to Meera alone.
  await ana.click('#end-shift');
  await ana.waitForSelector('#shift-state[data-availability="AVAILABILITY_OFFLINE"]');
});

test('no session, no CSRF token, another site, or a token in a URL: refused, nothing changes', async () => {
  const meera = await openWorkerApp(browser, dev.url);
  await signIn(meera, firm.tokens['pun-meera'], 'Meera Iyer');
  await startShift(meera);
  const id = await submit(dev, firm.apiKey, { matter: 'm-78' });
  await meera.locator(offerCard(id)).waitFor({ timeout: 90000 });
  const [cookie] = (await meera.context().cookies()).filter((c) => c.name === 'lx_session');
  const csrf = await meera.evaluate(() => sessionStorage.getItem('lexroute.csrf'));

  let r = await forge('/api/v1/offers/accept', { body: { taskId: id } });
  assert.equal(r.status, 401, 'no session');

  r = await forge('/api/v1/offers/accept', { cookie: cookie.value, body: { taskId: id } });
  assert.equal(r.status, 403, 'no CSRF token');
  assert.equal(r.body.field, 'X-CSRF-Token');

  r = await forge('/api/v1/offers/accept', { cookie: cookie.value, csrf: 'guess', body: { taskId: id } });
  assert.equal(r.status, 403, 'a wrong CSRF token');

  r = await forge('/api/v1/offers/accept', {
    cookie: cookie.value, csrf, origin: 'https://evil.example', body: { taskId: id },
  });
  assert.equal(r.status, 403, 'another site');
  assert.equal(r.body.field, 'Origin');

  r = await forge(`/api/v1/me?token=${firm.tokens['pun-meera']}`, { method: 'GET' });
  assert.equal(r.status, 400, 'a token in the URL');
  assert.equal(r.body.field, 'token');

  r = await forge('/api/v1/offers/accept', { cookie: cookie.value, csrf, body: { taskId: '' } });
  assert.equal(r.status, 400);
  assert.equal(r.body.field, 'task_id');
  r = await forge('/api/v1/offers/accept', { cookie: cookie.value, csrf, body: { taskID: id } });
  assert.equal(r.status, 400, 'unknown fields are refused');
  assert.equal(r.body.field, 'body');

  assert.equal((await getTask(dev, firm.apiKey, id)).status, 'OFFERED', 'nothing changed');

  // The real thing, with all of it, works; signing out ends the session for good.
  r = await forge('/api/v1/offers/accept', { cookie: cookie.value, csrf, body: { taskId: id } });
  assert.equal(r.status, 200);
  assert.equal(r.body.work.status, 'TASK_STATUS_ACCEPTED');
  await meera.click('#sign-out');
  await meera.waitForSelector('#sign-in-view:not([hidden])');
  r = await forge('/api/v1/heartbeat', { cookie: cookie.value, csrf });
  assert.equal(r.status, 401, 'the session ended at sign-out');
});
