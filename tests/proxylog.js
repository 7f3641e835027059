// proxylog.js DIR - a proxy that records and refuses, for the tests of
// the module's HTTP and the environment (tests/test-env.sh,
// tests/test-setuid.sh).
//
// It listens on 127.0.0.1, writes its port to DIR/port, and appends one
// line per connection to DIR/connections: the first line of what the
// client sent ("CONNECT 127.0.0.1:8443 HTTP/1.1" from an HTTP client, or
// "tls" for a TLS ClientHello). Each connection gets 403 and is closed,
// so nothing ever goes through it. An empty DIR/connections means nobody
// came.
'use strict';

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node proxylog.js DIR');
  process.exit(2);
}
const log = path.join(dir, 'connections');
fs.writeFileSync(log, '');

const server = net.createServer((sock) => {
  let buf = Buffer.alloc(0);
  let done = false;
  const record = (what) => {
    if (done) return;
    done = true;
    fs.appendFileSync(log, `${what}\n`);
    sock.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  };
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (buf[0] === 0x16) return record('tls');
    const nl = buf.indexOf('\n');
    if (nl >= 0) return record(buf.subarray(0, nl).toString('latin1').replace(/\r$/, '').replace(/[^\x20-\x7e]/g, '?'));
    if (buf.length > 4096) return record('junk');
  });
  sock.on('end', () => record(buf.length ? 'partial' : 'empty'));
  sock.on('error', () => record('error'));
  sock.setTimeout(10000, () => { record('timeout'); sock.destroy(); });
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(path.join(dir, 'port.tmp'), String(server.address().port));
  fs.renameSync(path.join(dir, 'port.tmp'), path.join(dir, 'port'));
});
process.on('SIGTERM', () => process.exit(0));
