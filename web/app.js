// The worker app: sign in with a staff token, run a shift, take offers as they arrive (most
// urgent first), finish accepted work, see what was done today. It talks only to the gateway's
// JSON API (docs/api.md, "The worker app"; the page's behaviour: docs/worker-app.md) and never
// sees document content: a task's payload_ref opens in the firm's own document store.
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

const SHIFT_NAMES = {
  AVAILABILITY_AVAILABLE: 'On shift',
  AVAILABILITY_ON_BREAK: 'On a break',
  AVAILABILITY_OFFLINE: 'Offline',
};

const PAGE_TITLE = 'lexroute — worker app';

const $ = (id) => document.getElementById(id);

const app = {
  // The CSRF token lives only in this tab (sessionStorage), never in a cookie: a page on another
  // site cannot read it, so it cannot forge the X-CSRF-Token header.
  csrf: sessionStorage.getItem('lexroute.csrf'),
  staff: null,
  offers: new Map(), // task id -> Offer
  work: new Map(), // task id -> Offer (accepted)
  done: new Map(), // task id -> Offer (completed, with completedAt)
  seen: new Set(), // offers already announced on this page
  fresh: [], // offers to announce together
  announceTimer: null,
  feed: null,
  unconfirmed: null, // ids shown before the feed (re)connected, not yet sent again
  heartbeatTimer: null,
  reconnectTimer: null,
  probeTimer: null,
  online: true,
  // The gateway's clock minus this page's, from the last feed event: countdowns read the
  // server's time, so a page whose clock is off still counts down right.
  clockOffset: 0,
  selected: null, // task id of the card the keyboard acts on
};

const now = () => Date.now() + app.clockOffset;

class ApiError extends Error {
  constructor(status, body) {
    super(body.error || `HTTP ${status}`);
    this.status = status;
    this.field = body.field;
  }
}

// The gateway could not be reached: nothing was saved.
class OfflineError extends Error {
  constructor() {
    super('Not saved — reconnecting.');
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
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    if (app.staff) setOnline(false);
    throw new OfflineError();
  }
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
  if (err instanceof OfflineError) return say(''); // the offline banner says it
  say(err.field ? `${err.message} (${err.field})` : err.message);
}

// --- announcements ------------------------------------------------------------------------

function notice(text) {
  const n = $('notice');
  // Emptied first, so the same words said twice are announced twice.
  n.textContent = '';
  setTimeout(() => (n.textContent = text), 50);
}

function titleOf(offer) {
  return offer.title || `${kindName(offer.kind)} · ${offer.matterId || offer.taskId}`;
}

function pageTitle() {
  document.title = app.offers.size ? `(${app.offers.size}) ${PAGE_TITLE}` : PAGE_TITLE;
}

function announceNew(offer) {
  if (app.seen.has(offer.taskId)) return;
  app.seen.add(offer.taskId);
  app.fresh.push(offer);
  // Offers arriving together (a reconnect, a burst) are announced in one sentence.
  clearTimeout(app.announceTimer);
  app.announceTimer = setTimeout(announceFresh, 200);
}

function announceFresh() {
  const fresh = app.fresh.filter((o) => app.offers.has(o.taskId));
  app.fresh = [];
  if (!fresh.length) return;
  fresh.sort(byUrgency);
  const first = fresh[0];
  const text = fresh.length === 1
    ? `New offer: ${titleOf(first)}, priority ${first.priority || 0}, ${dueText(first.deadline)}.`
    : `${fresh.length} new offers. Most urgent: ${titleOf(first)}, ${dueText(first.deadline)}.`;
  notice(text);
  if ($('sound-on').checked) beep();
  if ('Notification' in window && Notification.permission === 'granted' &&
      (document.hidden || !document.hasFocus())) {
    try {
      new Notification(fresh.length === 1 ? 'New offer' : `${fresh.length} new offers`,
        { body: text, tag: 'lexroute-offers' });
    } catch {
      // some browsers only notify from a service worker: the page's own signs remain
    }
  }
}

function announceGone(offer, wasWork) {
  const name = titleOf(offer);
  if (wasWork) return notice(`${name} was taken back; it is no longer yours to work on.`);
  const expired = offer.expiresAt && new Date(offer.expiresAt).getTime() <= now() + 1000;
  notice(expired ? `Offer for ${name} expired.` : `Offer for ${name} was withdrawn.`);
}

let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.1;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  } catch {
    // no audio here: the other signs remain
  }
}

function showNotifyButton() {
  $('notify-on').hidden = !('Notification' in window) || Notification.permission !== 'default';
}

// --- online or not ------------------------------------------------------------------------

function setOnline(online) {
  app.online = online;
  $('offline').hidden = online || !app.staff;
  clearTimeout(app.probeTimer);
  if (!online) {
    say('');
    app.probeTimer = setTimeout(probe, 2000);
  }
  applyOnline();
}

// Back online once the gateway answers and the feed is live: a failed action while the feed
// stayed up (a dropped request) must not leave the page paused.
async function probe() {
  if (!app.staff || app.online) return;
  try {
    await api('/api/v1/me');
    if (app.feed?.readyState === EventSource.OPEN && !app.unconfirmed) setOnline(true);
    else app.probeTimer = setTimeout(probe, 2000);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return failed(err);
    // api() went offline again and scheduled the next look; an error answer did not
    if (!(err instanceof OfflineError)) app.probeTimer = setTimeout(probe, 2000);
  }
}

// Every action that writes is disabled while the gateway is unreachable.
function applyOnline() {
  const off = !app.online;
  for (const b of document.querySelectorAll(
    '#work-view .accept, #work-view .reject, #work-view .complete, .shift-controls button:not(#sign-out)')) {
    b.disabled = off;
  }
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
    say(err instanceof OfflineError ? 'Cannot reach lexroute. Try again in a moment.' : err.message);
  }
}

function signedIn(staff) {
  app.staff = staff;
  $('staff-name').textContent = staff.displayName || staff.staffId;
  $('staff-zone').textContent = staff.timeZone || '';
  feedState('connecting…', 'muted');
  $('who').hidden = false;
  $('sign-in-view').hidden = true;
  $('work-view').hidden = false;
  showNotifyButton();
  setOnline(true);
  heartbeat();
  openFeed();
}

// Leaves nothing of the last person on the page: a shared PC shows the next one a blank app.
function signedOut(text) {
  clearTimeout(app.heartbeatTimer);
  clearTimeout(app.reconnectTimer);
  clearTimeout(app.announceTimer);
  clearTimeout(app.probeTimer);
  if (app.feed) app.feed.close();
  app.feed = null;
  app.staff = null;
  app.csrf = null;
  sessionStorage.removeItem('lexroute.csrf');
  app.offers.clear();
  app.work.clear();
  app.done.clear();
  app.seen.clear();
  app.fresh = [];
  app.unconfirmed = null;
  app.selected = null;
  app.clockOffset = 0;
  for (const id of ['offers', 'work', 'done']) $(id).replaceChildren();
  render();
  $('staff-name').textContent = '';
  $('staff-zone').textContent = '';
  showShift(undefined);
  feedState('', 'muted');
  $('notice').textContent = '';
  $('who').hidden = true;
  $('work-view').hidden = true;
  $('sign-in-view').hidden = false;
  setOnline(true);
  say(text || '', 'info');
}

async function signOut() {
  try {
    await api('/api/v1/sign-out', {});
  } catch (err) {
    if (err instanceof OfflineError) return say('Not signed out — reconnecting. Try again.');
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

function forget(id, announce) {
  const offer = app.offers.get(id);
  const work = app.work.get(id);
  if (announce && (offer || work)) announceGone(offer || work, !offer);
  app.offers.delete(id);
  app.work.delete(id);
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
    if (event.serverTime) app.clockOffset = new Date(event.serverTime).getTime() - Date.now();
    if (event.offered) {
      const id = event.offered.taskId;
      app.unconfirmed?.delete(id);
      if (!app.work.has(id) && !app.done.has(id)) {
        app.offers.set(id, event.offered);
        announceNew(event.offered);
      }
    } else if (event.accepted) {
      const id = event.accepted.taskId;
      app.unconfirmed?.delete(id);
      app.offers.delete(id);
      if (!app.done.has(id)) app.work.set(id, event.accepted);
    } else if (event.done) {
      const id = event.done.taskId;
      app.offers.delete(id);
      app.work.delete(id);
      app.done.set(id, event.done);
    } else if (event.withdrawnTaskId) {
      forget(event.withdrawnTaskId, true);
    }
    render();
  };
  feed.addEventListener('synced', () => {
    for (const id of app.unconfirmed || []) forget(id, true);
    app.unconfirmed = null;
    feedState('live', 'live');
    setOnline(true);
    render();
  });
  feed.onerror = () => {
    feedState('reconnecting…', 'down');
    setOnline(false);
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
  if (!app.online) return;
  try {
    await api('/api/v1/offers/accept', { taskId: id });
    const offer = app.offers.get(id);
    app.offers.delete(id);
    if (offer) app.work.set(id, { ...offer, expiresAt: undefined });
    say('');
    app.selected = id;
    render();
    // The card to work on next has the focus, so the keyboard goes on from there.
    $('work').querySelector(`li[data-task-id="${CSS.escape(id)}"]`)?.focus();
    return;
  } catch (err) {
    failed(err);
  }
  render();
}

async function reject(id, reason) {
  if (!app.online) return;
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
  if (!app.online) return;
  if (!outcome) return say('Choose or type an outcome first.');
  try {
    const answer = await api('/api/v1/tasks/complete', { taskId: id, outcome, note });
    const work = app.work.get(id);
    app.work.delete(id);
    app.done.set(id, {
      ...work, ...answer.work, taskId: id, outcome,
      completedAt: answer.work?.completedAt || new Date(now()).toISOString(),
    });
    say(`Completed ${work ? titleOf(work) : id}.`, 'info');
  } catch (err) {
    failed(err);
  }
  render();
}

// --- how things read ----------------------------------------------------------------------

function kindName(kind) {
  return KIND_NAMES[kind] || 'Other work';
}

function zoned(options) {
  try {
    // In the staff member's own time zone, wherever this browser happens to be.
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: app.staff?.timeZone });
  } catch {
    return new Intl.DateTimeFormat(undefined, options);
  }
}

function formatDeadline(timestamp) {
  if (!timestamp) return '';
  return zoned({
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(timestamp));
}

// "due in 5 h", "due in 40 min", "due in 3 days", "overdue by 2 h".
function dueText(timestamp) {
  if (!timestamp) return 'no deadline';
  const ms = new Date(timestamp).getTime() - now();
  const span = Math.abs(ms);
  const minutes = Math.floor(span / 60000);
  let amount;
  if (minutes < 60) amount = `${Math.max(minutes, 1)} min`;
  else if (minutes < 48 * 60) amount = `${Math.floor(minutes / 60)} h`;
  else amount = `${Math.floor(minutes / 1440)} days`;
  return ms >= 0 ? `due in ${amount}` : `overdue by ${amount}`;
}

function countdown(expiresAt) {
  if (!expiresAt) return ['', false];
  const seconds = Math.floor((new Date(expiresAt).getTime() - now()) / 1000);
  if (seconds <= 0) return ['expiring…', true];
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return [`expires in ${m}:${s}`, seconds < 30];
}

// The day (in the staff member's zone) a time falls on, as "2026-12-06".
function dayOf(ms) {
  const parts = zoned({ year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ms);
  const get = (type) => parts.find((p) => p.type === type)?.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

// Most urgent first: higher priority, then the earlier deadline (none last), then the older.
function byUrgency(a, b) {
  const time = (t, none) => (t ? new Date(t).getTime() : none);
  return (b.priority || 0) - (a.priority || 0) ||
    time(a.deadline, Infinity) - time(b.deadline, Infinity) ||
    time(a.offeredAt, 0) - time(b.offeredAt, 0) ||
    a.taskId.localeCompare(b.taskId);
}

// A link only to the firm's document store over https; anything else is shown, never opened.
function safeHref(ref) {
  try {
    const url = new URL(ref);
    return url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// --- cards --------------------------------------------------------------------------------

function fillCard(card, offer) {
  card.dataset.taskId = offer.taskId;
  const title = card.querySelector('.title');
  title.textContent = titleOf(offer);
  title.id = `title-${offer.taskId}`;
  card.setAttribute('aria-labelledby', title.id);
  card.querySelector('.kind').textContent = kindName(offer.kind);
  card.querySelector('.priority').textContent = 'priority ' + (offer.priority || 0);
  card.querySelector('.matter').textContent = offer.matterId || '—';
  card.querySelector('.effort').textContent = `${offer.effortMinutes || 0} min`;
  card.querySelector('.deadline').textContent = formatDeadline(offer.deadline);
  card.querySelector('.task-id').textContent = offer.taskId;
  const link = card.querySelector('.document');
  const ref = card.querySelector('.document-ref');
  const href = safeHref(offer.payloadRef);
  if (href) {
    link.href = href;
  } else {
    link.remove();
    ref.textContent = offer.payloadRef ? `Document: ${offer.payloadRef}` : '';
    ref.hidden = !offer.payloadRef;
  }
  card.addEventListener('focusin', () => select(offer.taskId, false));
  card.addEventListener('click', () => select(offer.taskId, false));
}

function offerCard(offer) {
  const card = $('offer-card').content.firstElementChild.cloneNode(true);
  fillCard(card, offer);
  card.querySelector('.accept').onclick = () => accept(offer.taskId);
  card.querySelector('.reject').onclick = () =>
    reject(offer.taskId, card.querySelector('.reason').value.trim());
  return card;
}

// The outcomes come with each offer (the server's table, by kind): the page keeps no list. An
// offer without them gets a text field instead of the list.
function chosenOutcome(card) {
  return (card.querySelector('.outcome') || card.querySelector('.outcome-text')).value.trim();
}

function workCard(offer) {
  const card = $('work-card').content.firstElementChild.cloneNode(true);
  fillCard(card, offer);
  const allowed = offer.allowedOutcomes || [];
  if (allowed.length) {
    const select = card.querySelector('.outcome');
    for (const value of allowed) select.append(new Option(outcomeName(value), value));
    card.querySelector('.outcome-text-field').remove();
  } else {
    card.querySelector('.outcome-field').remove();
    card.querySelector('.outcome-text-field').hidden = false;
  }
  card.querySelector('.complete').onclick = () =>
    complete(offer.taskId, chosenOutcome(card), card.querySelector('.note').value.trim());
  return card;
}

// "needs-second-level-review" reads "Needs second level review".
function outcomeName(value) {
  const words = value.replace(/[-_.]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function doneItem(offer) {
  const li = $('done-item').content.firstElementChild.cloneNode(true);
  li.dataset.taskId = offer.taskId;
  li.querySelector('.title').textContent = titleOf(offer);
  li.querySelector('.outcome').textContent = offer.outcome ? outcomeName(offer.outcome) : '';
  li.querySelector('.at').textContent = offer.completedAt
    ? zoned({ hour: '2-digit', minute: '2-digit' }).format(new Date(offer.completedAt)) : '';
  return li;
}

// Adds, removes and orders cards, moving only those out of place, so a half-typed reason or
// note survives other cards changing.
function renderList(list, items, make, order) {
  const shown = new Map([...list.children].map((li) => [li.dataset.taskId, li]));
  for (const [id, li] of shown) if (!items.has(id)) li.remove();
  const sorted = [...items.values()].sort(order);
  sorted.forEach((offer, i) => {
    const li = shown.get(offer.taskId) || make(offer);
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
  });
}

function doneToday() {
  const today = dayOf(now());
  const out = new Map();
  for (const [id, offer] of app.done) {
    if (offer.completedAt && dayOf(new Date(offer.completedAt).getTime()) === today) {
      out.set(id, offer);
    }
  }
  return out;
}

function render() {
  renderList($('offers'), app.offers, offerCard, byUrgency);
  renderList($('work'), app.work, workCard, byUrgency);
  const today = doneToday();
  renderList($('done'), today, doneItem,
    (a, b) => new Date(b.completedAt).getTime() - new Date(a.completedAt).getTime());
  $('no-offers').hidden = app.offers.size > 0;
  $('no-work').hidden = app.work.size > 0;
  $('no-done').hidden = today.size > 0;
  $('offer-count').textContent = app.offers.size ? `(${app.offers.size})` : '';
  $('work-count').textContent = app.work.size ? `(${app.work.size})` : '';
  $('done-count').textContent = `(${today.size})`;
  for (const li of document.querySelectorAll('#offers > li, #work > li')) {
    li.classList.toggle('selected', li.dataset.taskId === app.selected);
  }
  pageTitle();
  applyOnline();
  tick();
}

function tick() {
  for (const li of $('offers').children) {
    const offer = app.offers.get(li.dataset.taskId);
    const [text, soon] = countdown(offer?.expiresAt);
    const badge = li.querySelector('.countdown');
    badge.textContent = text;
    badge.classList.toggle('soon', soon);
    li.querySelector('.due').textContent = dueText(offer?.deadline);
  }
  for (const li of $('work').children) {
    li.querySelector('.due').textContent = dueText(app.work.get(li.dataset.taskId)?.deadline);
  }
  // At midnight (the staff member's) yesterday's work leaves "Done today".
  if (app.staff && $('done').children.length !== doneToday().size) render();
}

// --- the keyboard -------------------------------------------------------------------------

function cards() {
  return [...document.querySelectorAll('#offers > li, #work > li')];
}

function select(id, focus = true) {
  app.selected = id;
  for (const li of cards()) {
    const on = li.dataset.taskId === id;
    li.classList.toggle('selected', on);
    if (on && focus) li.focus();
  }
}

function selectedCard() {
  return cards().find((li) => li.dataset.taskId === app.selected) || null;
}

function onKey(event) {
  if (!app.staff || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest?.('input, textarea, select, [contenteditable]')) return;
  const list = cards();
  const at = list.findIndex((li) => li.dataset.taskId === app.selected);
  const card = selectedCard();
  switch (event.key) {
    case 'j':
    case 'k': {
      if (!list.length) return;
      const step = event.key === 'j' ? 1 : -1;
      const next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), list.length - 1);
      select(list[next].dataset.taskId);
      break;
    }
    case 'a':
      if (card?.closest('#offers')) card.querySelector('.accept').click();
      break;
    case 'r':
      if (card?.closest('#offers')) card.querySelector('.reject').click();
      break;
    case 'c':
      if (card?.closest('#work')) card.querySelector('.complete').click();
      break;
    case '?':
      $('help').open = !$('help').open;
      break;
    default:
      return;
  }
  event.preventDefault();
}

// --- start --------------------------------------------------------------------------------

async function start() {
  $('sign-in-form').addEventListener('submit', signIn);
  $('start-shift').onclick = () => setShift('AVAILABILITY_AVAILABLE');
  $('take-break').onclick = () => setShift('AVAILABILITY_ON_BREAK');
  $('end-shift').onclick = () => setShift('AVAILABILITY_OFFLINE');
  $('sign-out').onclick = signOut;
  // Off unless chosen; the choice is this browser's, not the person's.
  $('sound-on').checked = localStorage.getItem('lexroute.sound') === 'on';
  $('sound-on').onchange = () => {
    localStorage.setItem('lexroute.sound', $('sound-on').checked ? 'on' : 'off');
    if ($('sound-on').checked) beep();
  };
  // The browser asks for permission only on this click, never by itself.
  $('notify-on').onclick = async () => {
    await Notification.requestPermission();
    showNotifyButton();
  };
  document.addEventListener('keydown', onKey);
  setInterval(tick, 1000);
  if (!app.csrf) return;
  try {
    signedIn(await api('/api/v1/me')); // a reload keeps the session
  } catch {
    signedOut();
  }
}

start();
