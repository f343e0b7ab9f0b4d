// The worker app's door under load, from outside (scripts/bench-webdoor, docs/performance.md):
// real HTTP/1.1 over real sockets with Node's own http and net modules, nothing of lexroute's.
//
//   node web_clients.mjs pages  --http H:P --tokens F --count N [--accept] --ready F --out F
//                               [--sent F]  pages that sign in, start their shift, heartbeat as
//                               the server says and hold the offer feed (Server-Sent Events)
//   node web_clients.mjs probe  --http H:P --tokens F --first I --count N --out F
//                               fresh staff signing in and opening their feed, one at a time
//   node web_clients.mjs attack --http H:P --tokens F --first I --out F [--slow N] [--idle N]
//                               [--flood-per-second N]  slow headers, idle strangers and one
//                               signed-in staff member opening feeds in a loop
//
// Each role runs until SIGTERM, then writes its figures (JSON) to --out and prints a summary.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const args = parseArgs(process.argv.slice(2));
const [host, port] = args.http.split(':');
const started = Date.now();
// How late this process's one thread runs what is due: every latency it measures includes this.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const loopFigures = () => ({
  p50: Math.round(loopDelay.percentile(50) / 1e6),
  p99: Math.round(loopDelay.percentile(99) / 1e6),
  max: Math.round(loopDelay.max / 1e6),
});

function parseArgs(argv) {
  const out = { role: argv[0] };
  for (let i = 1; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[name] = argv[++i];
    else out[name] = true;
  }
  return out;
}

function readTokens(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [staffId, token] = line.split(' ');
      return { staffId, token };
    });
}

function percentiles(values) {
  const v = [...values].sort((a, b) => a - b);
  const at = (q) => (v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : null);
  return { count: v.length, p50: at(0.5), p99: at(0.99), max: v.length ? v[v.length - 1] : null };
}

const fmt = (p) => `n=${p.count} p50=${p.p50} ms p99=${p.p99} ms max=${p.max} ms`;

// One request; answers {status, headers, body} or throws (refused, reset, timed out).
function request(agent, method, path, { body, headers = {}, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host,
        port,
        method,
        path,
        agent,
        headers: {
          ...(data !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

async function signIn(agent, token) {
  const res = await request(agent, 'POST', '/api/v1/sign-in', { body: { staffToken: token } });
  if (res.status !== 200) throw new Error(`sign-in ${res.status} ${res.body.slice(0, 120)}`);
  const cookie = (res.headers['set-cookie'] || [])
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('lx_session='));
  return { cookie, csrf: JSON.parse(res.body).csrfToken };
}

function post(agent, session, path, body) {
  return request(agent, 'POST', path, {
    body,
    headers: { Cookie: session.cookie, 'X-CSRF-Token': session.csrf },
  });
}

// An EventSource of our own: `data:` lines are OfferEvents, `event: synced` ends the first burst.
// Calls onEvent(event, at) and onSynced(at); resolves when the stream ends (the reason).
function openFeed(agent, session, { onOpen, onEvent, onSynced, onRequest }) {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host,
        port,
        path: '/api/v1/offers/stream',
        agent,
        headers: { Cookie: session.cookie, Accept: 'text/event-stream' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return resolve(`status ${res.statusCode}`);
        }
        onOpen?.(req);
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (text) => {
          const at = Date.now();
          pending += text;
          let end;
          while ((end = pending.indexOf('\n\n')) >= 0) {
            const block = pending.slice(0, end);
            pending = pending.slice(end + 2);
            let name = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) name = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (name === 'synced') onSynced?.(at);
            else if (name === 'message' && data) onEvent?.(JSON.parse(data), at);
          }
        });
        res.on('end', () => resolve('ended by the server'));
        res.on('error', (e) => resolve(e.message));
        res.on('close', () => resolve('closed'));
      },
    );
    onRequest?.(req);
    req.on('error', (e) => resolve(e.code || e.message));
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function onStop(finish) {
  let stopping = false;
  process.on('SIGTERM', async () => {
    if (stopping) return;
    stopping = true;
    const figures = await finish();
    fs.writeFileSync(args.out, JSON.stringify(figures, null, 1));
    process.exit(0);
  });
}

// --- pages: what web/app.js does, as many times as --count says ------------------------------

async function pages() {
  const staff = readTokens(args.tokens).slice(0, Number(args.count));
  const acceptOffers = Boolean(args.accept);
  const state = {
    signInMs: [],
    errors: {},
    feedsOpen: 0,
    synced: 0,
    feedEnds: {},
    heartbeats: 0,
    heartbeatMs: [],
    heartbeatFailures: {},
    offers: [], // [seq, arrived (Unix ms), offeredAt (Unix ms), page]
    accepts: [],
    acceptFailures: 0,
    stopping: false,
  };
  const count = (bag, reason) => (bag[reason] = (bag[reason] || 0) + 1);
  const pagesWithOffer = new Set();

  // `listening` is called once the page's feed first synced.
  async function page(i, listening) {
    const me = staff[i];
    // A browser's own connections: one for the feed, others for the API.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
    let session;
    for (;;) {
      const t0 = Date.now();
      try {
        session = await signIn(agent, me.token);
        state.signInMs.push(Date.now() - t0);
        const shift = await post(agent, session, '/api/v1/availability', {
          availability: 'AVAILABILITY_AVAILABLE',
        });
        if (shift.status !== 200) throw new Error(`availability ${shift.status}`);
        break;
      } catch (e) {
        count(state.errors, e.code || e.message.slice(0, 60));
        await sleep(2000);
      }
    }
    (async function heartbeat() {
      while (!state.stopping) {
        let next = 5;
        const t0 = Date.now();
        try {
          const res = await post(agent, session, '/api/v1/heartbeat', {});
          if (res.status !== 200) throw new Error(`status ${res.status}`);
          next = JSON.parse(res.body).intervalSeconds || 15;
          state.heartbeats++;
          state.heartbeatMs.push(Date.now() - t0);
        } catch (e) {
          count(state.heartbeatFailures, e.code || e.message.slice(0, 60));
        }
        await sleep(next * 1000);
      }
    })();
    let everSynced = false;
    while (!state.stopping) {
      let open = false;
      const ended = await openFeed(agent, session, {
        onOpen: () => {
          open = true;
          state.feedsOpen++;
        },
        onSynced: () => {
          if (!everSynced) {
            state.synced++;
            listening();
          }
          everSynced = true;
        },
        onEvent: (event, at) => {
          const offer = event.offered;
          if (!offer) return;
          const seq = Number(offer.payloadRef.slice(offer.payloadRef.lastIndexOf('/') + 1));
          state.offers.push([seq, at, Date.parse(offer.offeredAt), i]);
          pagesWithOffer.add(i);
          if (acceptOffers) {
            const t0 = Date.now();
            post(agent, session, '/api/v1/offers/accept', { taskId: offer.taskId })
              .then((res) => {
                if (res.status === 200) state.accepts.push(Date.now() - t0);
                else state.acceptFailures++;
              })
              .catch(() => state.acceptFailures++);
          }
        },
      });
      if (open) state.feedsOpen--;
      if (state.stopping) break;
      count(state.feedEnds, ended);
      await sleep(1000); // the feed's `retry: 1000`, as EventSource does
    }
  }

  // Sign-ins a few at a time, as people arrive in the morning rather than all in one instant.
  const inFlight = Number(args['sign-ins-in-flight'] || 32);
  const rampLimit = Date.now() + 1000 * Number(args['ramp-seconds'] || 600);
  let next = 0;
  const rampStart = Date.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < staff.length) {
        if (Date.now() > rampLimit) {
          // The rest still arrive, but the run goes on with the pages that listen by now.
          while (next < staff.length) page(next++, () => {});
          break;
        }
        const i = next++;
        // The next person on this lane arrives once this page listens (or after 30 s).
        await new Promise((resolve) => {
          page(i, resolve);
          setTimeout(resolve, 30000);
        });
      }
    }),
  );
  const rampSeconds = (Date.now() - rampStart) / 1000;
  console.error(`pages: ${state.synced} pages open and synced after ${rampSeconds.toFixed(1)} s`);
  fs.writeFileSync(args.ready, `${state.synced}\n`);
  loopDelay.reset(); // from here on: the pages open, the attack, the tasks

  onStop(async () => {
    const feedsOpenAtEnd = state.feedsOpen;
    state.stopping = true;
    const sent = new Map();
    if (args.sent && fs.existsSync(args.sent)) {
      for (const line of fs.readFileSync(args.sent, 'utf8').split('\n')) {
        if (!line) continue;
        const [seq, ms] = line.split(' ').map(Number);
        sent.set(seq, ms);
      }
    }
    const seen = new Set();
    const fromSubmit = [];
    const fromOffer = [];
    for (const [seq, at, offeredAt] of state.offers) {
      if (sent.has(seq) && !seen.has(seq)) fromSubmit.push(at - sent.get(seq));
      seen.add(seq);
      fromOffer.push(at - offeredAt);
    }
    const figures = {
      pages: staff.length,
      rampSeconds,
      syncedPages: state.synced,
      feedsOpenAtEnd,
      feedEnds: state.feedEnds,
      signIn: percentiles(state.signInMs),
      signInErrors: state.errors,
      heartbeat: percentiles(state.heartbeatMs),
      heartbeatFailures: state.heartbeatFailures,
      tasksSent: sent.size,
      tasksOffered: [...sent.keys()].filter((s) => seen.has(s)).length,
      offerEvents: state.offers.length,
      pagesWithOffer: pagesWithOffer.size,
      offerFromSubmit: percentiles(fromSubmit),
      offerFromOfferedAt: percentiles(fromOffer),
      offersOverOneSecond: fromSubmit.filter((ms) => ms > 1000).length,
      accept: percentiles(state.accepts),
      acceptFailures: state.acceptFailures,
      eventLoopDelay: loopFigures(),
    };
    console.log(
      [
        `pages: ${figures.pages}, synced ${figures.syncedPages} (ramp ${rampSeconds.toFixed(1)} s), ` +
          `feeds open at the end ${feedsOpenAtEnd}, feed ends ${JSON.stringify(state.feedEnds)}`,
        `pages' sign-in: ${fmt(figures.signIn)}, errors ${JSON.stringify(state.errors)}`,
        `heartbeats: ${fmt(figures.heartbeat)}, failed ${JSON.stringify(state.heartbeatFailures)}`,
        `offers: ${figures.tasksOffered} of ${figures.tasksSent} tasks reached a page ` +
          `(${figures.offerEvents} events, ${figures.pagesWithOffer} pages)`,
        `offer, submit to page: ${fmt(figures.offerFromSubmit)}; over 1 s: ${figures.offersOverOneSecond}`,
        `offer, offeredAt to page: ${fmt(figures.offerFromOfferedAt)}`,
        acceptOffers
          ? `accept: ${fmt(figures.accept)}, failures ${figures.acceptFailures}`
          : 'accept: not asked',
        `the pages' own event loop ran late by p50 ${figures.eventLoopDelay.p50} ms, ` +
          `p99 ${figures.eventLoopDelay.p99} ms, max ${figures.eventLoopDelay.max} ms`,
      ].join('\n'),
    );
    return figures;
  });
}

// --- probe: a fresh staff member signs in and opens their feed, every --every-ms -------------

async function probe() {
  const staff = readTokens(args.tokens).slice(Number(args.first), Number(args.first) + Number(args.count));
  const every = Number(args['every-ms'] || 500);
  const signInMs = [];
  const feedMs = [];
  const failures = {};
  let stopping = false;
  let n = 0;
  const loop = (async () => {
    while (!stopping) {
      const me = staff[n++ % staff.length];
      const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
      const t0 = Date.now();
      try {
        const session = await signIn(agent, me.token);
        signInMs.push(Date.now() - t0);
        const t1 = Date.now();
        let req;
        const synced = await new Promise((resolve) => {
          openFeed(agent, session, {
            onRequest: (r) => (req = r),
            onSynced: (at) => resolve(at - t1),
          }).then((why) => resolve(why));
        });
        req?.destroy();
        if (typeof synced === 'number') feedMs.push(synced);
        else failures[`feed: ${synced}`] = (failures[`feed: ${synced}`] || 0) + 1;
      } catch (e) {
        const key = e.code || e.message.slice(0, 60);
        failures[key] = (failures[key] || 0) + 1;
      }
      agent.destroy();
      await sleep(every);
    }
  })();
  onStop(async () => {
    stopping = true;
    const figures = {
      signIn: percentiles(signInMs),
      feedSynced: percentiles(feedMs),
      signInsOverOneSecond: signInMs.filter((ms) => ms > 1000).length,
      failures,
    };
    console.log(
      `fresh sign-in: ${fmt(figures.signIn)}; over 1 s: ${figures.signInsOverOneSecond}\n` +
        `fresh feed, request to synced: ${fmt(figures.feedSynced)}\n` +
        `probe failures: ${JSON.stringify(failures)}`,
    );
    return figures;
  });
  await loop;
}

// --- attack -----------------------------------------------------------------------------------

async function attack() {
  const slow = Number(args.slow || 200);
  const idle = Number(args.idle || 1200);
  const floodPerSecond = Number(args['flood-per-second'] || 20);
  const reconnectMs = Number(args['reconnect-ms'] || 1000);
  const stats = {
    slowConnections: 0,
    slowLifetimes: [],
    idleConnections: 0,
    idleLifetimes: [],
    floodFeeds: 0,
    floodAnswers: {},
    floodCutByServer: 0,
    floodHeldAtEnd: 0,
  };
  let stopping = false;
  const sockets = new Set();

  // A stranger that keeps a connection open: `trickle` sends a request line and then one header
  // byte every 2 s, never finishing; otherwise it sends nothing at all. Reconnects when cut.
  function stranger(trickle) {
    if (stopping) return;
    const opened = Date.now();
    const socket = net.connect(Number(port), host);
    sockets.add(socket);
    let timer;
    socket.on('connect', () => {
      if (!trickle) return;
      socket.write('GET / HTTP/1.1\r\nHost: ' + args.http + '\r\nX-Slow: ');
      timer = setInterval(() => socket.write('a'), 2000);
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
      if (trickle) stats.slowLifetimes.push(Date.now() - opened);
      else stats.idleLifetimes.push(Date.now() - opened);
      if (!stopping) setTimeout(() => stranger(trickle), reconnectMs);
    });
    trickle ? stats.slowConnections++ : stats.idleConnections++;
  }
  for (let i = 0; i < slow; i++) stranger(true);
  for (let i = 0; i < idle; i++) stranger(false);

  // One staff member, signed in over and over (many sessions), opening feeds in a loop and never
  // closing one: each stays open until the server ends it.
  const me = readTokens(args.tokens)[Number(args.first)];
  const sessions = [];
  for (let i = 0; i < 16; i++) {
    try {
      sessions.push(await signIn(new http.Agent({ keepAlive: false }), me.token));
    } catch (e) {
      console.error(`attack: flood sign-in failed: ${e.message}`);
    }
  }
  let held = 0;
  const flood = setInterval(() => {
    if (!sessions.length) return;
    const session = sessions[stats.floodFeeds % sessions.length];
    stats.floodFeeds++;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let opened = false;
    openFeed(agent, session, {
      onOpen: () => {
        opened = true;
        held++;
      },
    }).then((why) => {
      stats.floodAnswers[why] = (stats.floodAnswers[why] || 0) + 1;
      if (opened) {
        held--;
        stats.floodCutByServer++;
      }
    });
  }, 1000 / floodPerSecond);

  onStop(async () => {
    stopping = true;
    clearInterval(flood);
    stats.floodHeldAtEnd = held;
    const figures = {
      slowConnections: stats.slowConnections,
      slowLifetime: percentiles(stats.slowLifetimes),
      idleConnections: stats.idleConnections,
      idleLifetime: percentiles(stats.idleLifetimes),
      strangersOpenAtEnd: sockets.size,
      floodFeeds: stats.floodFeeds,
      floodAnswers: stats.floodAnswers,
      floodHeldAtEnd: stats.floodHeldAtEnd,
    };
    console.log(
      `slow clients: ${figures.slowConnections} connections, cut after ${fmt(figures.slowLifetime)}\n` +
        `idle strangers: ${figures.idleConnections} connections, cut after ${fmt(figures.idleLifetime)}\n` +
        `feed flood: ${figures.floodFeeds} feeds opened, ${figures.floodHeldAtEnd} still open at the end, ` +
        `ends ${JSON.stringify(figures.floodAnswers)}`,
    );
    for (const s of sockets) s.destroy();
    return figures;
  });
}

const roles = { pages, probe, attack };
if (!roles[args.role]) {
  console.error('usage: node web_clients.mjs pages|probe|attack --http HOST:PORT ...');
  process.exit(2);
}
roles[args.role]();
