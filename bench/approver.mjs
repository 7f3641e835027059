// approver.mjs - the benchmark's approver: one long-lived node process that
// plays the browsers of many users at once, so that 32 simultaneous logins
// do not start 32 node processes (tests/idp/approve.js is one per code).
//
//   node approver.mjs --ca CAFILE --port-file FILE [--password PW]
//
// It listens on 127.0.0.1 (an ephemeral port, written to FILE once ready).
// A client sends one line "USER URL" (URL: verification_uri_complete) and
// reads one line back: "ok" once the provider showed its success page, or
// "fail WHY". The pages are the test provider's own, driven as approve.js
// drives them: confirm (Continue), login (USER, PW), consent, success.
// Test and benchmark use only; it stops on SIGTERM or SIGINT.

import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
if (!args.ca || !args['port-file']) {
  console.error('usage: node approver.mjs --ca CAFILE --port-file FILE [--password PW]');
  process.exit(2);
}
const ca = fs.readFileSync(args.ca);
const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 64 });

// A kept-alive socket the server has just closed fails with ECONNRESET:
// send the request again on a new one (node's documented remedy).
async function request(jar, method, url, fields) {
  try {
    return await request1(jar, method, url, fields);
  } catch (err) {
    if (err.reusedSocket && err.code === 'ECONNRESET') return request1(jar, method, url, fields);
    throw err;
  }
}

function request1(jar, method, url, fields) {
  const body = fields ? new URLSearchParams(fields).toString() : undefined;
  const headers = { Accept: 'text/html' };
  if (jar.size) headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, headers, timeout: 20000 }, (res) => {
      for (const c of res.headers['set-cookie'] || []) {
        const [pair, ...attrs] = c.split(';');
        const name = pair.slice(0, pair.indexOf('=')).trim();
        const value = pair.slice(pair.indexOf('=') + 1).trim();
        const gone = attrs.some((x) => /^\s*max-age=0\s*$/i.test(x)
          || (/^\s*expires=/i.test(x) && Date.parse(x.split('=')[1]) < Date.now()));
        if (gone || value === '') jar.delete(name); else jar.set(name, value);
      }
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({
        url, status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => { err.reusedSocket = req.reusedSocket; reject(err); });
    req.end(body);
  });
}

const unescape = (s) => s.replace(/&#(\d+);/g, (m, n) => String.fromCharCode(n))
  .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function attrs(tag) {
  const out = {};
  for (const [, k, v] of tag.matchAll(/([\w.:-]+)\s*=\s*"([^"]*)"/g)) out[k.toLowerCase()] = unescape(v);
  return out;
}

function firstForm(res) {
  const m = res.body.match(/<form\b([^>]*)>([\s\S]*?)<\/form>/i);
  if (!m) throw new Error(`no form on the page at ${res.url}`);
  const action = new URL(attrs(m[1]).action || res.url, res.url).href;
  const fields = [];
  for (const [tag] of m[2].matchAll(/<input\b[^>]*>/gi)) {
    const a = attrs(tag);
    if (a.name) fields.push([a.name, a.value ?? '']);
  }
  return { action, fields };
}

async function approve(user, url) {
  const jar = new Map();
  let res = await request(jar, 'GET', url);
  for (let step = 0; step < 20; step += 1) {
    if ([301, 302, 303, 307].includes(res.status) && res.headers.location) {
      res = await request(jar, 'GET', new URL(res.headers.location, res.url).href);
      continue;
    }
    const body = res.body.match(/<body\b([^>]*)>/i);
    const kind = body ? attrs(body[1])['data-page'] : undefined;
    let form;
    if (kind === 'success') return 'ok';
    if (kind === 'code-confirm' || kind === 'consent') {
      form = firstForm(res);
    } else if (kind === 'login') {
      if (res.status !== 200) return 'fail login refused';
      form = firstForm(res);
      form.fields = [['username', user], ['password', args.password || 'pw']];
    } else if (res.status === 200 && /<title>Submitting Callback<\/title>/.test(res.body)) {
      form = firstForm(res);
    } else {
      return `fail page ${kind || '?'} (HTTP ${res.status})`;
    }
    res = await request(jar, 'POST', form.action, form.fields);
  }
  return 'fail too many steps';
}

const server = net.createServer((sock) => {
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => {
    buf += d;
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    const [user, url] = buf.slice(0, nl).trim().split(/\s+/);
    buf = '';
    approve(user, url)
      .catch((err) => `fail ${err.message}`)
      .then((answer) => sock.end(`${answer.replace(/\n/g, ' ')}\n`));
  });
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const file = args['port-file'];
  fs.writeFileSync(`${file}.tmp`, `${server.address().port}\n`);
  fs.renameSync(`${file}.tmp`, file);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
