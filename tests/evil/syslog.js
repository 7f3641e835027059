// syslog.js SOCKET LOGFILE - a stand-in for the system logger, for the
// tests that must see what the module logs (tests/evil/sandbox.sh binds
// it to /dev/log in a private mount namespace).
//
// glibc's syslog(3) falls back to a stream socket when /dev/log is not a
// datagram one, and ends every record with a NUL byte. Each record is
// appended to LOGFILE as received, raw, with its NUL: a record that holds
// a newline or an escape byte shows up as exactly that. One line goes to
// LOGFILE.ends when a client hangs up, so a test can wait for a process's
// last words.

'use strict';

const fs = require('node:fs');
const net = require('node:net');

const [sock, file] = process.argv.slice(2);
if (!sock || !file) {
  process.stderr.write('usage: syslog.js SOCKET LOGFILE\n');
  process.exit(2);
}
try { fs.unlinkSync(sock); } catch { /* not there */ }
fs.writeFileSync(file, '');
fs.writeFileSync(`${file}.ends`, '');

const server = net.createServer((c) => {
  c.on('data', (d) => fs.appendFileSync(file, d));
  c.on('error', () => {});
  c.on('close', () => fs.appendFileSync(`${file}.ends`, 'end\n'));
});
server.listen(sock, () => {
  fs.chmodSync(sock, 0o666);
  fs.writeFileSync(`${file}.ready`, `${process.pid}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
