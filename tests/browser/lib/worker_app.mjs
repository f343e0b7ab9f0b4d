// The worker app in Debian's headless Chromium, driven by playwright-core.
import { chromium } from 'playwright-core';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// A staff member's own browser (own cookies), with a fixed locale so dates read the same on
// every machine; the browser's time zone is deliberately not the staff member's.
export async function openWorkerApp(browser, url) {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'America/Los_Angeles',
    viewport: { width: 1100, height: 760 },
  });
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
