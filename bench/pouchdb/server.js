// The PouchDB peer's server: express-pouchdb 4.2 on express 4, with every
// database in memory (pouchdb-adapter-memory). Prints {"port":N} on
// stdout once it listens on 127.0.0.1 (port 0 picks a free one).
'use strict';

const express = require('express');
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'));

const MemPouch = PouchDB.defaults({ adapter: 'memory' });
const port = Number(process.argv[2] || 0);
const app = express();
app.use('/', require('express-pouchdb')(MemPouch, {
  mode: 'minimumForPouchDB',
  inMemoryConfig: true,
  logPath: '/dev/null',
}));
const srv = app.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: srv.address().port }) + '\n');
});
process.on('SIGTERM', () => srv.close(() => process.exit(0)));
