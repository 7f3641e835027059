#!/usr/bin/env node
// Headless approver: plays the user's browser on the test provider's real pages, with cookies.
//
//   node approve.js --ca CAFILE --url VERIFICATION_URI[_COMPLETE] [--code USER_CODE]
//                   --user NAME --password PW [--password PW2 ...] [--deny] [--verbose]
//
// With verification_uri_complete the code is in the URL; with verification_uri pass --code.
// Several --password are tried in order on the same login page (a typo, then the right one):
// once the code is confirmed it is "in flight" and cannot be entered again in a new run.
// Steps: user-code page -> confirm page (Continue, or Abort with --deny) -> login -> consent ->
// success page. Exit status: 0 approved (or, with --deny, aborted as asked); 1 any other
// failure; 2 usage; 3 user code rejected (unknown, expired, already used); 4 login refused.

import * as fs from 'node:fs';
import * as https from 'node:https';

const USAGE = 'usage: node approve.js --ca CAFILE --url URL [--code USER_CODE] --user NAME --password PW [--password PW2 ...] [--deny] [--verbose]';

function parseArgs(argv) {
  const args = { deny: false, verbose: false, passwords: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--deny' || a === '--verbose') args[a.slice(2)] = true;
    else if (a === '--password' && i + 1 < argv.length) args.passwords.push(argv[i += 1]);
    else if (['--ca', '--url', '--code', '--user'].includes(a) && i + 1 < argv.length) {
      args[a.slice(2)] = argv[i += 1];
    } else done(2, `${USAGE}\nunexpected argument: ${a}`);
  }
  for (const k of ['ca', 'url', 'user']) if (args[k] === undefined) done(2, `${USAGE}\nmissing --${k}`);
  if (!args.passwords.length) done(2, `${USAGE}\nmissing --password`);
  return args;
}

function done(status, msg) {
  (status ? process.stderr : process.stdout).write(`approve: ${msg}\n`);
  process.exit(status);
}

const args = parseArgs(process.argv.slice(2));
const ca = fs.readFileSync(args.ca);
const jar = new Map(); // cookie name -> value; one host, so names are enough
const verbose = (msg) => { if (args.verbose) process.stderr.write(`approve: ${msg}\n`); };

function request(method, url, fields) {
  const body = fields ? new URLSearchParams(fields).toString() : undefined;
  const headers = { Accept: 'text/html' };
  if (jar.size) headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  verbose(`${method} ${url}`);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers, timeout: 10000 }, (res) => {
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
    req.on('error', reject);
    req.end(body);
  });
}

const unescape = (s) => s.replace(/&#(\d+);/g, (m, n) => String.fromCharCode(n))
  .replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  .replace(/&amp;/g, '&');

function attrs(tag) {
  const out = {};
  for (const [, k, v] of tag.matchAll(/([\w.:-]+)\s*=\s*"([^"]*)"/g)) out[k.toLowerCase()] = unescape(v);
  return out;
}

// The first <form> of the page: its action and its inputs' name/value pairs.
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

const text = (html) => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();

async function main() {
  let res = await request('GET', args.url);
  let codeSent = false;
  const passwords = [...args.passwords];
  for (let step = 0; step < 20; step += 1) {
    if ([301, 302, 303, 307].includes(res.status) && res.headers.location) {
      res = await request('GET', new URL(res.headers.location, res.url).href);
      continue;
    }
    const body = res.body.match(/<body\b([^>]*)>/i);
    const { 'data-page': kind, 'data-error': error } = body ? attrs(body[1]) : {};
    verbose(`-> ${res.status} page=${kind || '?'}${error ? ` error=${error}` : ''}`);
    let form;
    switch (kind) {
      case 'success':
        if (args.deny) done(1, 'the sign-in was approved although --deny was given');
        done(0, `approved as ${args.user}`);
        break;
      case 'aborted':
        if (args.deny) done(0, 'denied: the provider aborted the sign-in');
        done(1, 'the provider aborted the sign-in');
        break;
      case 'code-error':
        done(3, `user code rejected (${error}): ${text(res.body.match(/<p class="message">([\s\S]*?)<\/p>/)?.[1] || '')}`);
        break;
      case 'code-input':
        if (codeSent) done(3, 'the user code was not accepted');
        if (!args.code) done(3, 'the page asks for a user code: pass --code');
        form = firstForm(res);
        form.fields = form.fields.filter(([k]) => k !== 'user_code').concat([['user_code', args.code]]);
        codeSent = true;
        break;
      case 'code-confirm':
        form = firstForm(res);
        if (args.deny) form.fields.push(['abort', 'yes']); // the Abort button
        codeSent = true;
        break;
      case 'login':
        if (error) verbose('login refused');
        if (!passwords.length) done(4, `login refused for ${args.user}: invalid username or password`);
        form = firstForm(res);
        form.fields = [['username', args.user], ['password', passwords.shift()]];
        break;
      case 'consent':
        form = firstForm(res);
        break;
      case 'error':
        done(1, `the provider answered an error (HTTP ${res.status}): ${text(res.body)}`);
        break;
      default:
        // oidc-provider's self-submitting form (verification_uri_complete leads there).
        if (res.status === 200 && /<title>Submitting Callback<\/title>/.test(res.body)) {
          form = firstForm(res);
          codeSent = true;
          break;
        }
        done(1, `unexpected answer HTTP ${res.status} from ${res.url}: ${text(res.body).slice(0, 300)}`);
    }
    res = await request('POST', form.action, form.fields);
  }
  done(1, 'too many steps');
}

main().catch((err) => done(1, err.message));
