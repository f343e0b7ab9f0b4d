// The firm's and the operator's side of a browser test, through the `lexroute` CLI over gRPC:
// create a firm, load staff and issue their tokens, submit tasks, read them back (GetTask).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const LEXROUTE = process.env.LEXROUTE ?? 'build/bin/lexroute';

export async function lexroute(server, ...args) {
  const { stdout } = await run(LEXROUTE, ['--server', server, ...args], { timeout: 60000 });
  return stdout.trim();
}

// A firm and staff members on `dev`; returns the firm's API key and each staff member's token.
export async function setUp(dev, staff) {
  const admin = ['admin', '--admin-key-file', join(dev.dir, 'data', 'admin.key')];
  const apiKey = await lexroute(dev.grpc, ...admin, 'create-firm', 'acme', '--name', 'Acme LLP');
  const roster = join(dev.dir, 'roster.jsonl');
  writeFileSync(roster, staff.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const tokensFile = join(dev.dir, 'tokens.txt');
  await lexroute(dev.grpc, ...admin, 'load-staff', roster, '--tokens-out', tokensFile);
  const tokens = Object.fromEntries(
    readFileSync(tokensFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')),
  );
  return { apiKey, tokens };
}

export function reviewer(id, displayName, timeZone) {
  return {
    id,
    displayName,
    timeZone,
    skills: [
      { skill: 'doc-review', proficiency: 4 },
      { skill: 'privilege', proficiency: 4 },
    ],
    capacity: 3,
  };
}

// Submits a task as the firm; returns its id.
export async function submit(dev, apiKey, { matter, kind = 'document-review', skill = 'doc-review:3',
  priority = 5, effort = 20, ref }) {
  return lexroute(dev.grpc, 'submit', '--api-key', apiKey, '--matter', matter, '--kind', kind,
    '--skill', skill, '--priority', String(priority), '--effort', String(effort),
    '--due-in-hours', '30', '--payload-ref', ref ?? `https://dms.acme.example/${matter}/doc/7`);
}

// The task as GetTask returns it: status, staff and outcome.
export async function getTask(dev, apiKey, id) {
  const text = await lexroute(dev.grpc, 'task', '--api-key', apiKey, 'get', id);
  const field = (name) => text.match(new RegExp(`^${name} +(\\S+)`, 'm'))?.[1] ?? '';
  return { status: field('status'), staff: field('staff'), outcome: field('outcome'), text };
}

// Submits tasks as the firm, one SubmitTaskRequest each (protobuf JSON: title, deadline and the
// rest as TaskSpec names them); returns their ids in order.
export async function submitSpecs(dev, apiKey, specs) {
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const file = join(dev.dir, `submit-${stamp}.jsonl`);
  const ids = join(dev.dir, `ids-${stamp}.txt`);
  writeFileSync(file, specs.map((spec) => JSON.stringify({ spec })).join('\n') + '\n');
  await lexroute(dev.grpc, 'submit', '--api-key', apiKey, '--file', file, '--ids-out', ids);
  return readFileSync(ids, 'utf8').trim().split('\n').map((line) => line.split(/\s+/).pop());
}

// An RFC 3339 time `hours` from now.
export function hoursFromNow(hours) {
  return new Date(Date.now() + hours * 3600 * 1000).toISOString();
}
