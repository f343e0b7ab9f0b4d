// The worker app as a work queue (issue 22, part 5): offers most urgent first with titles and
// relative due times, announced when they come and when they go, "Done today", countdowns from
// the server's clock, a paused page while the gateway is away, the keyboard, a 320 px phone and
// a sign-out that leaves nothing of the last person.
//
// Each reviewer has a skill of their own, so a test's tasks go only to that test's reviewer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { getTask, hoursFromNow, lexroute, setUp, submitSpecs } from './lib/firm.mjs';
import { eventually, Lexrouted, removeDir, tempDir } from './lib/lexrouted.mjs';
import {
  launchBrowser, offerCard, openWorkerApp, signIn, startShift, waitForFeed, workCard,
} from './lib/worker_app.mjs';

let dir, dev, gateway, browser, firm;

const REVIEWERS = {
  'mnl-ana': ['Ana Cruz', 'Asia/Manila'],
  'pun-meera': ['Meera Iyer', 'Asia/Kolkata'],
  'bel-niamh': ['Niamh Byrne', 'Europe/Belfast'],
  'nbo-wanjiru': ['Wanjiru Kamau', 'Africa/Nairobi'],
  'lim-rosa': ['Rosa Quispe', 'America/Lima'],
};

const reviewer = (id) => ({
  id, displayName: REVIEWERS[id][0], timeZone: REVIEWERS[id][1],
  skills: [{ skill: `queue-${id}`, proficiency: 4 }], capacity: 6,
});

// A document review only `staff` can take.
const review = (staff, { title, priority = 5, dueInHours = 30, ...rest } = {}) => ({
  matterId: `m-${staff}`, kind: 'TASK_KIND_DOCUMENT_REVIEW', title, priority,
  requiredSkills: [{ skill: `queue-${staff}`, minProficiency: 1 }], effortMinutes: 20,
  deadline: hoursFromNow(dueInHours), payloadRef: `https://dms.acme.example/${staff}/doc`, ...rest,
});

const texts = (page, selector) => page.locator(selector).allTextContents();

// The visible controls smaller than a finger (44 px either way), by class, id or tag and size.
const smallTargets = (page) => page.evaluate(() =>
  [...document.querySelectorAll('button, select, input:not([type=checkbox]), textarea, summary, a, label.check')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => [e.className || e.id || e.tagName, e.getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44)
    .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`));

before(async () => {
  dir = tempDir('work-queue');
  // The page talks to a gateway of its own, which a test stops to take the page offline.
  dev = await Lexrouted.dev(dir);
  gateway = await Lexrouted.gateway(dir, dev.redis);
  firm = await setUp(dev, Object.keys(REVIEWERS).map(reviewer));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gateway?.stop();
  await dev?.stop();
  if (process.exitCode) console.log(gateway?.log(), dev?.log());
  removeDir(dir);
});

async function signedIn(id, options) {
  const page = await openWorkerApp(browser, gateway.url, options);
  await signIn(page, firm.tokens[id], REVIEWERS[id][0]);
  await startShift(page);
  return page;
}

test('offers come most urgent first, titled, with due times, announced as they come and go', async () => {
  const page = await signedIn('mnl-ana');
  assert.equal(await page.title(), 'lexroute — worker app');
  assert.equal(await page.isChecked('#sound-on'), false, 'no sound unless chosen');

  // Arrival order is not urgency order: priority first, then the earlier deadline.
  const [binder, emails, minutes] = await submitSpecs(dev, firm.apiKey, [
    review('mnl-ana', { title: 'Deposition prep binder', priority: 3, dueInHours: 30.5 }),
    review('mnl-ana', { title: 'Custodian email batch 14', priority: 9, dueInHours: 2.5 }),
    review('mnl-ana', { title: 'Board minutes 2019', priority: 9, dueInHours: 1.5 }),
  ]);
  for (const id of [binder, emails, minutes]) {
    await page.locator(offerCard(id)).waitFor({ timeout: 90000 });
  }
  assert.deepEqual(await texts(page, '#offers > li .title'),
    ['Board minutes 2019', 'Custodian email batch 14', 'Deposition prep binder']);
  assert.deepEqual(await texts(page, '#offers > li .due'),
    ['due in 1 h', 'due in 2 h', 'due in 30 h']);
  assert.equal(await page.locator(offerCard(minutes)).locator('.task-id').textContent(), minutes,
    'the task id is still there, small');
  await eventually(async () => (await page.title()) === '(3) lexroute — worker app',
    'the tab title to count three offers', 10000);
  assert.match(await page.locator('#notice').getAttribute('aria-live'), /polite/);
  await eventually(async () => /new offer/i.test(await page.textContent('#notice')),
    'the new offers to be announced', 10000);

  // One more, announced on its own, in words.
  const [brief] = await submitSpecs(dev, firm.apiKey, [
    review('mnl-ana', { title: 'Research brief on venue', priority: 6, dueInHours: 4.5 }),
  ]);
  await page.locator(offerCard(brief)).waitFor({ timeout: 90000 });
  await eventually(async () => (await page.textContent('#notice')) ===
    'New offer: Research brief on venue, priority 6, due in 4 h.', 'the announcement', 10000);
  assert.equal((await texts(page, '#offers > li .title'))[2], 'Research brief on venue');
  await eventually(async () => (await page.title()) === '(4) lexroute — worker app', '(4)', 10000);

  // The firm cancels one: it goes, with a word.
  await lexroute(dev.grpc, 'task', '--api-key', firm.apiKey, 'cancel', binder, '--reason', 'settled');
  await page.locator(offerCard(binder)).waitFor({ state: 'detached' });
  await eventually(async () => (await page.textContent('#notice')) ===
    'Offer for Deposition prep binder was withdrawn.', 'the withdrawal to be announced', 10000);
  await eventually(async () => (await page.title()) === '(3) lexroute — worker app', '(3)', 10000);

  // An offer left unanswered times out: it goes, and the page says it expired.
  const [lapsing] = await submitSpecs(dev, firm.apiKey, [
    review('mnl-ana', { title: 'Privilege log rows', priority: 1, offerTimeoutSeconds: 10 }),
  ]);
  await page.locator(offerCard(lapsing)).waitFor({ timeout: 90000 });
  await page.locator(offerCard(lapsing)).waitFor({ state: 'detached', timeout: 60000 });
  await eventually(async () => (await page.textContent('#notice')) ===
    'Offer for Privilege log rows expired.', 'the expiry to be announced', 10000);
  await page.click('#end-shift');
});

test('the keyboard accepts and completes, focus follows the work, and "Done today" counts it', async () => {
  const page = await signedIn('pun-meera');
  const [first, second] = await submitSpecs(dev, firm.apiKey, [
    review('pun-meera', { title: 'Lease abstract 1', priority: 8, dueInHours: 3 }),
    review('pun-meera', { title: 'Lease abstract 2', priority: 2, dueInHours: 3 }),
  ]);
  await page.locator(offerCard(first)).waitFor({ timeout: 90000 });
  await page.locator(offerCard(second)).waitFor({ timeout: 90000 });
  assert.equal(await texts(page, '#done > li').then((l) => l.length), 0);
  assert.equal(await page.textContent('#done-count'), '(0)');

  // The help names the keys.
  await page.keyboard.press('?');
  assert.ok(await page.locator('#help').evaluate((d) => d.open));
  assert.match(await page.textContent('#help'), /accept the selected offer/);

  // j selects the most urgent card, a accepts it; the new work card has the focus.
  await page.keyboard.press('j');
  await page.keyboard.press('a');
  await page.locator(workCard(first)).waitFor();
  await eventually(() => page.evaluate((id) => document.activeElement?.dataset.taskId === id, first),
    'the focus on the new work card', 5000);
  assert.equal((await getTask(dev, firm.apiKey, first)).status, 'ACCEPTED');

  // The outcomes are the offer's own (allowedOutcomes), labelled; c completes with the chosen one.
  const work = page.locator(workCard(first));
  assert.deepEqual(await work.locator('.outcome option').evaluateAll((os) => os.map((o) => o.value)),
    ['responsive', 'not-responsive', 'privileged', 'needs-second-level-review']);
  await work.getByLabel('Outcome').selectOption('privileged');
  await work.getByLabel('Note (optional)').fill('Two attachments privileged.');
  await work.focus();
  await page.keyboard.press('c');
  await page.locator(workCard(first)).waitFor({ state: 'detached' });
  await eventually(async () => (await getTask(dev, firm.apiKey, first)).status === 'COMPLETED',
    'the completion', 10000);
  assert.equal((await getTask(dev, firm.apiKey, first)).outcome, 'privileged');
  await eventually(async () => (await page.textContent('#done-count')) === '(1)', 'Done today (1)', 10000);
  assert.match(await page.textContent('#done'), /Lease abstract 1.*Privileged/s);

  // The reason field is labelled; r rejects with it.
  await page.locator(offerCard(second)).getByLabel('Reason (optional)').fill('conflict');
  await page.locator(offerCard(second)).focus();
  await page.keyboard.press('r');
  await page.locator(offerCard(second)).waitFor({ state: 'detached' });

  // Another page (or a reload) is told today's completions by the feed.
  const again = await openWorkerApp(browser, gateway.url);
  await signIn(again, firm.tokens['pun-meera'], 'Meera Iyer');
  await eventually(async () => (await again.textContent('#done-count')) === '(1)',
    'the feed to send today\'s completion', 10000);
  assert.match(await again.textContent('#done'), /Lease abstract 1/);
  await page.click('#end-shift');
});

test('a page whose clock is 5 minutes fast counts a fresh offer down from the server\'s time', async () => {
  const page = await signedIn('bel-niamh', { clockSkewMs: 5 * 60 * 1000 });
  const [id] = await submitSpecs(dev, firm.apiKey, [
    review('bel-niamh', { title: 'Witness statement', dueInHours: 2.5 }),
  ]);
  const card = page.locator(offerCard(id));
  await card.waitFor({ timeout: 90000 });
  // The pool's 120 s offer: by the page's own clock it would already read "expiring…".
  await eventually(async () => /^expires in 1:\d\d$/.test(await card.locator('.countdown').textContent()),
    'a countdown near two minutes', 5000);
  assert.equal(await card.locator('.due').textContent(), 'due in 2 h');
  await page.click('#end-shift');
});

test('while the gateway is away, actions pause with a plain message and come back with it', async () => {
  const page = await signedIn('nbo-wanjiru');
  const [id] = await submitSpecs(dev, firm.apiKey, [review('nbo-wanjiru', { title: 'Exhibit index' })]);
  const card = page.locator(offerCard(id));
  await card.waitFor({ timeout: 90000 });
  assert.ok(await card.locator('.accept').isEnabled());

  // A request that never reaches the gateway: not saved, said plainly, never "Failed to fetch".
  await page.route('**/api/v1/offers/accept', (route) => route.abort('internetdisconnected'));
  await card.locator('.accept').click();
  await page.locator('#offline').waitFor();
  assert.match(await page.textContent('#offline'), /not saved — reconnecting/i);
  assert.ok(await card.locator('.accept').isDisabled());
  assert.doesNotMatch(await page.textContent('body'), /Failed to fetch/);
  await page.unroute('**/api/v1/offers/accept');
  await page.locator('#offline').waitFor({ state: 'hidden', timeout: 15000 });
  assert.ok(await card.locator('.accept').isEnabled());

  // The gateway stops: the feed drops, everything that writes is disabled.
  const address = gateway.http;
  await gateway.stop();
  await page.locator('#offline').waitFor({ timeout: 15000 });
  assert.ok(await card.locator('.accept').isDisabled());
  assert.ok(await card.locator('.reject').isDisabled());
  assert.ok(await page.locator('#end-shift').isDisabled());

  gateway = await Lexrouted.gateway(dir, dev.redis, address);
  await waitForFeed(page);
  await page.locator('#offline').waitFor({ state: 'hidden', timeout: 30000 });
  assert.ok(await card.locator('.accept').isEnabled());
  await card.locator('.accept').click();
  await page.locator(workCard(id)).waitFor();
  assert.equal((await getTask(dev, firm.apiKey, id)).status, 'ACCEPTED');
  await page.click('#end-shift');
});

test('on a 320 px phone nothing scrolls sideways and every control is 44 px', async () => {
  const phone = { viewport: { width: 320, height: 640 },
    payloadRefs: { 'm-lim-rosa': 'file:///C:/evidence/scan.pdf' }, outcomes: null };
  const page = await openWorkerApp(browser, gateway.url, phone);
  const scrollWidth = () => page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(await scrollWidth() <= 320, `sign-in page ${await scrollWidth()} px wide`);
  assert.deepEqual(await smallTargets(page), [], 'touch targets under 44 px on the sign-in page');

  await signIn(page, firm.tokens['lim-rosa'], 'Rosa Quispe');
  await startShift(page);
  const [offer, work] = await submitSpecs(dev, firm.apiKey, [
    review('lim-rosa', { title: 'A rather long title for a custodian collection review batch' }),
    review('lim-rosa', { title: 'Transcript check', priority: 7 }),
  ]);
  await page.locator(offerCard(offer)).waitFor({ timeout: 90000 });
  await page.locator(offerCard(work)).waitFor({ timeout: 90000 });
  await page.locator(offerCard(work)).locator('.accept').click();
  await page.locator(workCard(work)).waitFor();
  await page.click('#help summary');

  assert.ok(await scrollWidth() <= 320, `work page ${await scrollWidth()} px wide`);
  assert.deepEqual(await smallTargets(page), [], 'touch targets under 44 px');

  // A document reference that is not https is shown, never a link (and no dead link is left).
  const card = page.locator(offerCard(offer));
  assert.equal(await card.locator('a.document').count(), 0);
  assert.match(await card.locator('.document-ref').textContent(), /file:\/\/\/C:\/evidence/);
  // The outcomes are the server's for the kind (outcomes: null adds none in the page), in a
  // labelled list.
  const workItem = page.locator(workCard(work));
  assert.deepEqual(
    await workItem.locator('select.outcome option').evaluateAll((os) => os.map((o) => o.value)),
    ['responsive', 'not-responsive', 'privileged', 'needs-second-level-review']);
  await workItem.getByLabel('Outcome').selectOption('not-responsive');
  await workItem.locator('.complete').click();
  await eventually(async () => (await getTask(dev, firm.apiKey, work)).outcome === 'not-responsive',
    'the chosen outcome', 10000);
  await page.click('#end-shift');
});

test('sign-out leaves nothing of the last person on the page', async () => {
  const page = await signedIn('mnl-ana');
  const [id] = await submitSpecs(dev, firm.apiKey, [review('mnl-ana', { title: 'Last one' })]);
  await page.locator(offerCard(id)).waitFor({ timeout: 90000 });
  // Ana still holds test one's offers: the count is theirs and this one.
  await eventually(async () => /^\(\d+\) lexroute/.test(await page.title()), 'the count', 10000);

  await page.click('#sign-out');
  await page.waitForSelector('#sign-in-view:not([hidden])');
  assert.equal(await page.textContent('#staff-name'), '');
  assert.equal(await page.textContent('#staff-zone'), '');
  assert.equal(await page.isVisible('#who'), false);
  assert.equal(await page.isVisible('#feed-state'), false);
  assert.equal(await page.isVisible('#work-view'), false);
  assert.equal(await page.locator('#offers li, #work li, #done li').count(), 0);
  assert.equal(await page.textContent('#notice'), '');
  assert.equal(await page.title(), 'lexroute — worker app');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('lexroute.csrf')), null);
  await lexroute(dev.grpc, 'task', '--api-key', firm.apiKey, 'cancel', id, '--reason', 'done');
});
