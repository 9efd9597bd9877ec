// The PouchDB peer's device: an in-memory PouchDB that replicates with
// the express-pouchdb server, driven step by step by the Go harness.
//
//   node client.js a URL DOCS.json FIELD VALUE   push the documents, then set FIELD of the first one
//                                               to the JSON VALUE and push that, then nothing new
//   node client.js b URL             pull everything, then the edit, then nothing new
//
// Each step waits for a line on stdin, runs, and prints one JSON line
// {"step":..., "ms":..., "docs":...}; the setup prints {"step":"ready"}.
'use strict';

const fs = require('fs');
const readline = require('readline');
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'));

const [role, url, docsFile, editKey, editValue] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function say(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }

async function step(name, fn) {
  const next = await lines.next();
  if (next.done) process.exit(0);
  const t0 = process.hrtime.bigint();
  const docs = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  say({ step: name, ms, docs });
}

async function replicate(from, to) {
  const r = await PouchDB.replicate(from, to);
  if (r.status !== 'complete' || r.doc_write_failures > 0) {
    throw new Error('replication ' + r.status + ', ' + r.doc_write_failures + ' write failures');
  }
  return r.docs_written;
}

async function main() {
  const local = new PouchDB(role + '-local', { adapter: 'memory' });
  const remote = new PouchDB(url, { skip_setup: false });
  if (role === 'a') {
    const docs = JSON.parse(fs.readFileSync(docsFile, 'utf8'));
    for (let i = 0; i < docs.length; i += 1000) {
      const res = await local.bulkDocs(docs.slice(i, i + 1000));
      for (const r of res) if (r.error) throw new Error('bulkDocs: ' + JSON.stringify(r));
    }
    const first = docs[0]._id;
    docs.length = 0;
    say({ step: 'ready', docs: (await local.info()).doc_count });
    await step('push', () => replicate(local, remote));
    await step('edit', async () => {
      const d = await local.get(first);
      d[editKey] = JSON.parse(editValue);
      await local.put(d);
      return replicate(local, remote);
    });
    await step('noop', () => replicate(local, remote));
  } else {
    say({ step: 'ready', docs: 0 });
    await step('pull', () => replicate(remote, local));
    await step('edit', () => replicate(remote, local));
    await step('noop', () => replicate(remote, local));
  }
  await lines.next();
  process.exit(0);
}

main().catch((err) => { console.error(err && err.stack || err); process.exit(1); });
