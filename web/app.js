// The worker app: sign in with a staff token, run a shift, take offers as they arrive, finish
// accepted work. It talks only to the gateway's JSON API (docs/api.md, "The worker app") and
// never sees document content: a task's payload_ref opens in the firm's own document store.
'use strict';

const KIND_NAMES = {
  TASK_KIND_DOCUMENT_REVIEW: 'Document review',
  TASK_KIND_PRIVILEGE_REVIEW: 'Privilege review',
  TASK_KIND_LEGAL_RESEARCH: 'Legal research',
  TASK_KIND_CONTRACT_ABSTRACTION: 'Contract abstraction',
  TASK_KIND_TRANSCRIPTION: 'Transcription',
  TASK_KIND_DATA_ENTRY: 'Data entry',
  TASK_KIND_BILLING: 'Billing',
  TASK_KIND_SCHEDULING: 'Scheduling',
};

// The outcomes a completion may carry depend on the kind of work.
const OUTCOMES = {
  TASK_KIND_DOCUMENT_REVIEW: [
    ['responsive', 'Responsive'],
    ['not-responsive', 'Not responsive'],
    ['privileged', 'Privileged'],
    ['needs-second-level-review', 'Needs second-level review'],
  ],
  TASK_KIND_PRIVILEGE_REVIEW: [
    ['privileged', 'Privileged'],
    ['not-privileged', 'Not privileged'],
  ],
};
const DEFAULT_OUTCOMES = [['done', 'Done']];

const SHIFT_NAMES = {
  AVAILABILITY_AVAILABLE: 'On shift',
  AVAILABILITY_ON_BREAK: 'On a break',
  AVAILABILITY_OFFLINE: 'Offline',
};

const $ = (id) => document.getElementById(id);

const app = {
  // The CSRF token lives only in this tab (sessionStorage), never in a cookie: a page on another
  // site cannot read it, so it cannot forge the X-CSRF-Token header.
  csrf: sessionStorage.getItem('lexroute.csrf'),
  staff: null,
  offers: new Map(), // task id -> Offer
  work: new Map(), // task id -> Offer (accepted)
  feed: null,
  unconfirmed: null, // ids shown before the feed (re)connected, not yet sent again
  heartbeatTimer: null,
  reconnectTimer: null,
};

class ApiError extends Error {
  constructor(status, body) {
    super(body.error || `HTTP ${status}`);
    this.status = status;
    this.field = body.field;
  }
}

async function api(path, body) {
  const init = { credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
    if (app.csrf) init.headers['X-CSRF-Token'] = app.csrf;
  }
  const res = await fetch(path, init);
  let data = {};
  try {
    data = await res.json();
  } catch {
    // an empty or non-JSON answer: the status says enough
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function say(text, kind = 'error') {
  const m = $('message');
  m.textContent = text;
  m.className = kind;
  m.hidden = !text;
}

function failed(err) {
  if (err instanceof ApiError && err.status === 401) return signedOut('Signed out: ' + err.message);
  say(err.field ? `${err.message} (${err.field})` : err.message);
}

// --- signing in and out -------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const input = $('staff-token');
  const staffToken = input.value.trim();
  input.value = '';
  try {
    const answer = await api('/api/v1/sign-in', { staffToken });
    app.csrf = answer.csrfToken;
    sessionStorage.setItem('lexroute.csrf', app.csrf);
    say('');
    signedIn(answer.staff);
  } catch (err) {
    say(err.message);
  }
}

function signedIn(staff) {
  app.staff = staff;
  $('staff-name').textContent = staff.displayName || staff.staffId;
  $('staff-zone').textContent = staff.timeZone || '';
  $('who').hidden = false;
  $('sign-in-view').hidden = true;
  $('work-view').hidden = false;
  heartbeat();
  openFeed();
}

function signedOut(text) {
  clearTimeout(app.heartbeatTimer);
  clearTimeout(app.reconnectTimer);
  if (app.feed) app.feed.close();
  app.feed = null;
  app.staff = null;
  app.csrf = null;
  sessionStorage.removeItem('lexroute.csrf');
  app.offers.clear();
  app.work.clear();
  render();
  $('who').hidden = true;
  $('work-view').hidden = true;
  $('sign-in-view').hidden = false;
  say(text || '', 'info');
}

async function signOut() {
  try {
    await api('/api/v1/sign-out', {});
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) return failed(err);
  }
  signedOut('Signed out.');
}

// --- the shift --------------------------------------------------------------------------

function showShift(availability) {
  const badge = $('shift-state');
  badge.textContent = SHIFT_NAMES[availability] || 'Offline';
  badge.dataset.availability = availability || 'AVAILABILITY_OFFLINE';
  for (const [id, value] of [
    ['start-shift', 'AVAILABILITY_AVAILABLE'],
    ['take-break', 'AVAILABILITY_ON_BREAK'],
    ['end-shift', 'AVAILABILITY_OFFLINE'],
  ]) {
    $(id).setAttribute('aria-pressed', String(availability === value));
  }
}

async function setShift(availability) {
  try {
    const answer = await api('/api/v1/availability', { availability });
    showShift(answer.availability);
    say('');
  } catch (err) {
    failed(err);
  }
}

// The gateway takes a staff member offline after a silence; the answer says how often to call.
async function heartbeat() {
  clearTimeout(app.heartbeatTimer);
  let next = 5;
  try {
    const answer = await api('/api/v1/heartbeat', {});
    showShift(answer.availability);
    next = answer.intervalSeconds || 15;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return failed(err);
    // the gateway is restarting or Redis is away: try again soon
  }
  if (app.staff) app.heartbeatTimer = setTimeout(heartbeat, next * 1000);
}

// --- the offer feed (Server-Sent Events) --------------------------------------------------

function feedState(text, cls) {
  const badge = $('feed-state');
  badge.textContent = text;
  badge.className = 'badge ' + cls;
}

function openFeed() {
  clearTimeout(app.reconnectTimer);
  if (app.feed) app.feed.close();
  const feed = new EventSource('/api/v1/offers/stream');
  app.feed = feed;
  feed.onopen = () => {
    // The gateway sends everything open again on each connection, then 'synced': whatever was
    // shown before and is not sent again has gone while the feed was down.
    app.unconfirmed = new Set([...app.offers.keys(), ...app.work.keys()]);
    feedState('syncing…', 'muted');
  };
  feed.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.offered) {
      app.unconfirmed?.delete(event.offered.taskId);
      if (!app.work.has(event.offered.taskId)) app.offers.set(event.offered.taskId, event.offered);
    } else if (event.accepted) {
      app.unconfirmed?.delete(event.accepted.taskId);
      app.offers.delete(event.accepted.taskId);
      app.work.set(event.accepted.taskId, event.accepted);
    } else if (event.withdrawnTaskId) {
      app.offers.delete(event.withdrawnTaskId);
      app.work.delete(event.withdrawnTaskId);
    }
    render();
  };
  feed.addEventListener('synced', () => {
    for (const id of app.unconfirmed || []) {
      app.offers.delete(id);
      app.work.delete(id);
    }
    app.unconfirmed = null;
    feedState('live', 'live');
    render();
  });
  feed.onerror = () => {
    feedState('reconnecting…', 'down');
    // EventSource retries a dropped connection by itself; it gives up only on an answer that is
    // not a stream (signed out, or a gateway that is not up yet): then check and retry here.
    if (feed.readyState === EventSource.CLOSED) {
      app.reconnectTimer = setTimeout(resumeFeed, 2000);
    }
  };
}

async function resumeFeed() {
  if (!app.staff) return;
  try {
    await api('/api/v1/me');
    openFeed();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return failed(err);
    app.reconnectTimer = setTimeout(resumeFeed, 2000);
  }
}

// --- offers and work ----------------------------------------------------------------------

async function accept(id) {
  try {
    await api('/api/v1/offers/accept', { taskId: id });
    const offer = app.offers.get(id);
    app.offers.delete(id);
    if (offer) app.work.set(id, offer);
    say('');
  } catch (err) {
    failed(err);
  }
  render();
}

async function reject(id, reason) {
  try {
    await api('/api/v1/offers/reject', { taskId: id, reason });
    app.offers.delete(id);
    say('');
  } catch (err) {
    failed(err);
  }
  render();
}

async function complete(id, outcome, note) {
  try {
    await api('/api/v1/tasks/complete', { taskId: id, outcome, note });
    app.work.delete(id);
    say('Completed ' + id + '.', 'info');
  } catch (err) {
    failed(err);
  }
  render();
}

function kindName(kind) {
  return KIND_NAMES[kind] || 'Other work';
}

function formatDeadline(timestamp) {
  if (!timestamp) return '—';
  const options = {
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
    timeZoneName: 'short',
  };
  try {
    // In the staff member's own time zone, wherever this browser happens to be.
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: app.staff?.timeZone })
      .format(new Date(timestamp));
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(new Date(timestamp));
  }
}

function countdown(expiresAt) {
  if (!expiresAt) return ['', false];
  const seconds = Math.floor((new Date(expiresAt).getTime() - Date.now()) / 1000);
  if (seconds <= 0) return ['expiring…', true];
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return [`expires in ${m}:${s}`, seconds < 30];
}

// Only links that open somewhere else: no script or inline data ever runs from a payload_ref.
function safeHref(ref) {
  try {
    const url = new URL(ref);
    return ['javascript:', 'data:', 'vbscript:', 'blob:'].includes(url.protocol) ? null : url.href;
  } catch {
    return null;
  }
}

function fillCard(card, offer) {
  card.dataset.taskId = offer.taskId;
  card.querySelector('.kind').textContent = kindName(offer.kind);
  card.querySelector('.priority').textContent = 'priority ' + (offer.priority || 0);
  card.querySelector('.matter').textContent = offer.matterId || '—';
  card.querySelector('.effort').textContent = `${offer.effortMinutes || 0} min`;
  card.querySelector('.deadline').textContent = formatDeadline(offer.deadline);
  card.querySelector('.task-id').textContent = offer.taskId;
  const link = card.querySelector('.document');
  const href = safeHref(offer.payloadRef);
  if (href) link.href = href;
  else link.hidden = true;
}

function offerCard(offer) {
  const card = $('offer-card').content.firstElementChild.cloneNode(true);
  fillCard(card, offer);
  card.querySelector('.accept').onclick = () => accept(offer.taskId);
  card.querySelector('.reject').onclick = () =>
    reject(offer.taskId, card.querySelector('.reason').value.trim());
  return card;
}

function workCard(offer) {
  const card = $('work-card').content.firstElementChild.cloneNode(true);
  fillCard(card, offer);
  const select = card.querySelector('.outcome');
  for (const [value, label] of OUTCOMES[offer.kind] || DEFAULT_OUTCOMES) {
    select.append(new Option(label, value));
  }
  card.querySelector('.complete').onclick = () =>
    complete(offer.taskId, select.value, card.querySelector('.note').value.trim());
  return card;
}

// Adds and removes cards only, so a half-typed reason or note survives other cards changing.
function renderList(list, items, make) {
  const shown = new Map([...list.children].map((li) => [li.dataset.taskId, li]));
  for (const [id, li] of shown) if (!items.has(id)) li.remove();
  for (const [id, offer] of items) if (!shown.has(id)) list.append(make(offer));
}

function render() {
  renderList($('offers'), app.offers, offerCard);
  renderList($('work'), app.work, workCard);
  $('no-offers').hidden = app.offers.size > 0;
  $('no-work').hidden = app.work.size > 0;
  $('offer-count').textContent = app.offers.size ? `(${app.offers.size})` : '';
  $('work-count').textContent = app.work.size ? `(${app.work.size})` : '';
  tick();
}

function tick() {
  for (const li of $('offers').children) {
    const [text, soon] = countdown(app.offers.get(li.dataset.taskId)?.expiresAt);
    const badge = li.querySelector('.countdown');
    badge.textContent = text;
    badge.classList.toggle('soon', soon);
  }
}

// --- start --------------------------------------------------------------------------------

async function start() {
  $('sign-in-form').addEventListener('submit', signIn);
  $('start-shift').onclick = () => setShift('AVAILABILITY_AVAILABLE');
  $('take-break').onclick = () => setShift('AVAILABILITY_ON_BREAK');
  $('end-shift').onclick = () => setShift('AVAILABILITY_OFFLINE');
  $('sign-out').onclick = signOut;
  setInterval(tick, 1000);
  if (!app.csrf) return;
  try {
    signedIn(await api('/api/v1/me')); // a reload keeps the session
  } catch {
    signedOut();
  }
}

start();
