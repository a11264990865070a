// Drives Node's `mariadb` connector against the simulator for
// TestNodeMariaDBConnector: connects, queries, then waits in SLEEP until the
// test kills the session. Prints one JSON line per step on stdout.
const mariadb = require('mariadb');
const [host, port] = process.argv[2].split(':');
(async () => {
  const conn = await mariadb.createConnection({host, port: Number(port), user: 'maxuser', password: 'maxpwd'});
  const [row] = await conn.query('SELECT CONNECTION_ID() AS backend, @@version_comment AS comment');
  await conn.query('SET @a = 5');
  const [a] = await conn.query('SELECT @a AS a');
  await conn.ping();
  console.log(JSON.stringify({threadId: conn.threadId, backend: Number(row.backend), comment: row.comment, a: Number(a.a)}));
  try {
    await conn.query('SELECT SLEEP(60)');
    console.log(JSON.stringify({sleep: 'returned'}));
  } catch (e) {
    console.log(JSON.stringify({sleep: e.code}));
  }
  process.exit(0);
})().catch(e => { console.log(JSON.stringify({error: String(e)})); process.exit(1); });
