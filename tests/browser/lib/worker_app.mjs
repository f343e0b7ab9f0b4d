// The worker app in Debian's headless Chromium, driven by playwright-core.
import { chromium } from 'playwright-core';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// The outcomes the server will put on each Offer (allowedOutcomes, by kind) once the outcome
// table lands server-side; until then `seedOffers` adds them to the feed's offers the page
// receives, exactly where the server will. An offer that already carries them is left alone.
export const OUTCOMES_BY_KIND = {
  TASK_KIND_DOCUMENT_REVIEW: ['responsive', 'not-responsive', 'privileged', 'needs-second-level-review'],
  TASK_KIND_PRIVILEGE_REVIEW: ['privileged', 'not-privileged'],
  default: ['done'],
};

// Runs in the page before app.js: the feed's offered and accepted Offers get `outcomes` (by kind;
// null: none) and, by matter, the `payloadRefs` given.
function seedOffers({ outcomes, payloadRefs }) {
  const Native = window.EventSource;
  const patch = (data) => {
    try {
      const event = JSON.parse(data);
      for (const offer of [event.offered, event.accepted]) {
        if (!offer) continue;
        if (outcomes && !offer.allowedOutcomes?.length) {
          offer.allowedOutcomes = outcomes[offer.kind] || outcomes.default;
        }
        if (payloadRefs[offer.matterId]) offer.payloadRef = payloadRefs[offer.matterId];
      }
      return JSON.stringify(event);
    } catch {
      return data;
    }
  };
  window.EventSource = class extends Native {
    set onmessage(handler) {
      super.onmessage = handler && ((m) => handler(new MessageEvent('message', { data: patch(m.data) })));
    }
    get onmessage() {
      return super.onmessage;
    }
  };
}

// A staff member's own browser (own cookies), with a fixed locale so dates read the same on
// every machine; the browser's time zone is deliberately not the staff member's.
// `clockSkewMs` moves the page's Date.now(); `outcomes: null` leaves offers without outcomes.
export async function openWorkerApp(browser, url, {
  viewport = { width: 1100, height: 760 }, clockSkewMs = 0, outcomes = OUTCOMES_BY_KIND,
  payloadRefs = {},
} = {}) {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'America/Los_Angeles',
    viewport,
  });
  await context.addInitScript(seedOffers, { outcomes, payloadRefs });
  if (clockSkewMs) {
    await context.addInitScript((skew) => {
      const real = Date.now;
      Date.now = () => real() + skew;
    }, clockSkewMs);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(60000);
  await page.goto(url);
  return page;
}

export async function signIn(page, token, displayName) {
  await page.fill('#staff-token', token);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector(`#staff-name:has-text("${displayName}")`);
  await waitForFeed(page);
}

export async function startShift(page) {
  await page.click('#start-shift');
  await page.waitForSelector('#shift-state[data-availability="AVAILABILITY_AVAILABLE"]');
}

// The offer feed is connected and has sent everything open.
export async function waitForFeed(page) {
  await page.waitForSelector('#feed-state:has-text("live")');
}

export const offerCard = (id) => `#offers li[data-task-id="${id}"]`;
export const workCard = (id) => `#work li[data-task-id="${id}"]`;

// Calls the JSON API from inside the page: the session cookie goes along by itself; the CSRF
// token only when `csrf` says so (the page keeps it in sessionStorage).
export async function callApi(page, path, body, { csrf = true } = {}) {
  return page.evaluate(
    async ({ path, body, csrf }) => {
      const headers = { 'Content-Type': 'application/json' };
      if (csrf) headers['X-CSRF-Token'] = sessionStorage.getItem('lexroute.csrf');
      const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json().catch(() => ({})) };
    },
    { path, body, csrf },
  );
}
