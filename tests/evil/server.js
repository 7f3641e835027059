// A misbehaving OpenID provider for tests/test-hostile-*.sh.
//
// It speaks the same Okta layout as tests/idp (issuer
// https://127.0.0.1:PORT/oauth2/default, discovery, /v1/device/authorize,
// /v1/token, /v1/keys, /v1/userinfo) with node's built-ins only, and
// answers the way an attacker or a broken network would. It approves
// every device code at once and mints its own RS256 ID tokens with its
// own RSA key: this is the one place in the tree where tokens are forged
// on purpose. The real provider (tests/idp) is for everything else.
//
// Environment:
//   EVIL_DIR     required: state folder. The server writes port, issuer,
//                http_port (a plain-http listener that must never be hit)
//                and evil.log (one line per request: METHOD PATH STATUS;
//                "STOLEN ..." for any request that a redirect would have
//                sent elsewhere).
//   EVIL_CERTS   folder made by tests/evil/mkcerts.sh (default EVIL_DIR).
//   EVIL_MODE    what goes wrong (default "good": a valid login). Either
//                a name from MODES below, or BEHAVIOUR@ENDPOINT, where
//                ENDPOINT is discovery, device, token, keys or userinfo
//                and BEHAVIOUR one of TRANSPORT below. When EVIL_DIR/mode
//                exists, the mode named there wins, read on every request:
//                one server can then serve a whole test script (modes
//                that change the certificate still need their own).
//   EVIL_USER    the account in the username claim (default alice).
//   EVIL_GROUPS  JSON for the groups claim (default ["DevTeam"]).
//   EVIL_GROUPS_EXTRA  N: append PREFIX0 ... PREFIX(N-1) to it, where PREFIX
//                is EVIL_GROUPS_PREFIX (default okta-group-).
//   EVIL_CLIENT  the client_id the tokens are for (default pog-public).
//   EVIL_INTERVAL  the device response's interval (default 1).
//   EVIL_PENDING   token polls answered authorization_pending first (default 0).
//
// Run it through tests/evil/lib.sh (evil_start), which waits for it.

'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');
const zlib = require('node:zlib');

const DIR = process.env.EVIL_DIR;
if (!DIR) die('EVIL_DIR is required');
const CERTS = process.env.EVIL_CERTS || DIR;
const MODE = process.env.EVIL_MODE || 'good';
const USER = process.env.EVIL_USER || 'alice';
const CLIENT = process.env.EVIL_CLIENT || 'pog-public';
const INTERVAL = Number(process.env.EVIL_INTERVAL || 1);
const PENDING = Number(process.env.EVIL_PENDING || 0);
let GROUPS;
try {
  GROUPS = JSON.parse(process.env.EVIL_GROUPS || '["DevTeam"]');
} catch (e) {
  die(`EVIL_GROUPS is not JSON: ${e.message}`);
}
// EVIL_GROUPS_EXTRA=N: N more groups, PREFIX0 ... (too many for the
// environment); PREFIX is EVIL_GROUPS_PREFIX, default okta-group-.
const PREFIX = process.env.EVIL_GROUPS_PREFIX ?? 'okta-group-';
for (let i = 0; i < Number(process.env.EVIL_GROUPS_EXTRA || 0); i += 1) GROUPS.push(`${PREFIX}${i}`);

const BASE = '/oauth2/default';
const ROUTES = {
  discovery: `${BASE}/.well-known/openid-configuration`,
  device: `${BASE}/v1/device/authorize`,
  token: `${BASE}/v1/token`,
  keys: `${BASE}/v1/keys`,
  userinfo: `${BASE}/v1/userinfo`,
};
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const MIB = 1024 * 1024;

function die(msg) {
  process.stderr.write(`evil: ${msg}\n`);
  process.exit(1);
}

function log(line) {
  try {
    fs.appendFileSync(path.join(DIR, 'evil.log'), `${line}\n`);
  } catch { /* best effort */ }
}

// ---- keys and tokens -------------------------------------------------------------------------

const KID = 'evil-k1';
// Kept in EVIL_CERTS across runs: generating them each time is slow.
const keys = {};
function rsaKey(name, bits = 2048) {
  if (keys[name]) return keys[name];
  const file = path.join(CERTS, `evil-${name}.pem`);
  let privateKey;
  try {
    privateKey = crypto.createPrivateKey(fs.readFileSync(file));
  } catch {
    ({ privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits }));
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  keys[name] = { privateKey, publicKey: crypto.createPublicKey(privateKey) };
  return keys[name];
}
function rsaJwk(name, extra = {}, bits = 2048) {
  const { n, e, kty } = rsaKey(name, bits).publicKey.export({ format: 'jwk' });
  return { kty, n, e, kid: KID, use: 'sig', alg: 'RS256', ...extra };
}
function publicPem(name) {
  // What jwk.c hands libjwt: SubjectPublicKeyInfo PEM (PEM_write_bio_PUBKEY).
  return rsaKey(name).publicKey.export({ type: 'spki', format: 'pem' });
}

const b64u = (v) => Buffer.from(v).toString('base64url');
const part = (v) => b64u(typeof v === 'string' ? v : JSON.stringify(v));
const rs256 = (name) => (input) => crypto.sign('sha256', Buffer.from(input), rsaKey(name).privateKey).toString('base64url');
function jws(header, payload, signer) {
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${signer(input)}`;
}
function flip(sig) {
  const raw = Buffer.from(sig, 'base64url');
  raw[raw.length - 1] ^= 1;
  return b64u(raw);
}

// ---- the documents of a good provider --------------------------------------------------------

let issuer = '';
let origin = '';
let httpPort = 0;
const now = () => Math.floor(Date.now() / 1000);

function discoveryDoc() {
  return {
    issuer,
    authorization_endpoint: `${issuer}/v1/authorize`,
    device_authorization_endpoint: `${issuer}/v1/device/authorize`,
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/v1/keys`,
    userinfo_endpoint: `${issuer}/v1/userinfo`,
    grant_types_supported: ['authorization_code', DEVICE_GRANT],
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'email', 'groups'],
  };
}

// The document with the named endpoints moved to https://localhost:PORT/stolen/...
function elsewhere(d, keys) {
  const out = { ...d };
  for (const k of keys) out[k] = `https://localhost:${origin.split(':')[2]}/stolen/${k}`;
  return out;
}

function deviceDoc() {
  const userCode = 'WDJB-MJHT';
  return {
    device_code: crypto.randomBytes(24).toString('base64url'),
    user_code: userCode,
    verification_uri: `${origin}/activate`,
    verification_uri_complete: `${origin}/activate?user_code=${userCode}`,
    expires_in: 600,
    interval: INTERVAL,
  };
}

function claimsDoc() {
  const t = now();
  return {
    iss: issuer,
    aud: CLIENT,
    sub: `00u-${USER}`,
    iat: t,
    exp: t + 300,
    auth_time: t,
    amr: ['pwd', 'mfa'],
    preferred_username: `${USER}@example.com`,
    email: `${USER}@example.com`,
    name: USER,
    groups: GROUPS,
  };
}

const ACCESS_TOKEN = crypto.randomBytes(24).toString('base64url');

// ---- what goes wrong: named modes ------------------------------------------------------------
//
// Each mode may change: claims(c), header(h), token(h, c) (the whole ID
// token), jwks() (the keys document), discovery(d), device(d) (each may
// return a string: the body as it is), deviceReply() ({status, body} instead
// of the device authorization), tokenReply(n, ok) ({status, body,
// headers} for poll n, given the good answer ok; or undefined),
// userinfo(u), jwksMaxAge and discoveryMaxAge (Cache-Control max-age;
// 300 by default), tls ('untrusted', 'selfsigned', 'wronghost',
// 'expired'; 'none': a TCP listener that never speaks TLS), idGroups
// (false: no groups in the ID token, as Okta's org server does).

const pad = (n) => 'x'.repeat(n);
const ESC = '\u001b';

const MODES = {
  good: {},

  // -- forged or confused signatures
  'alg-none': { token: (h, c) => `${part({ ...h, alg: 'none' })}.${part(c)}.` },
  'alg-none-signed': { token: (h, c) => jws({ ...h, alg: 'none' }, c, rs256('k1')) },
  'alg-None': { token: (h, c) => `${part({ ...h, alg: 'None' })}.${part(c)}.` },
  'alg-missing': { token: (h, c) => { const { alg, ...rest } = h; return jws(rest, c, rs256('k1')); } },
  'alg-hs256-pem': {
    // The RS/HS confusion: HMAC keyed with the public key's PEM text.
    token: (h, c) => jws({ ...h, alg: 'HS256' }, c,
      (input) => crypto.createHmac('sha256', publicPem('k1')).update(input).digest('base64url')),
  },
  'alg-rs512': {
    token: (h, c) => jws({ ...h, alg: 'RS512' }, c,
      (input) => crypto.sign('sha512', Buffer.from(input), rsaKey('k1').privateKey).toString('base64url')),
  },
  'alg-ps256': {
    token: (h, c) => jws({ ...h, alg: 'PS256' }, c,
      (input) => crypto.sign('sha256', Buffer.from(input), {
        key: rsaKey('k1').privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      }).toString('base64url')),
  },
  'kid-unknown': { header: (h) => ({ ...h, kid: 'not-in-the-jwks' }) },
  'kid-missing': { header: (h) => { const { kid, ...rest } = h; return rest; } },
  'kid-number': { header: (h) => ({ ...h, kid: 1 }) },
  'kid-traversal': { header: (h) => ({ ...h, kid: '../../../../etc/passwd' }) },
  'kid-escape': { header: (h) => ({ ...h, kid: `${ESC}]0;pwned\u0007${ESC}[2J` }) },
  'sig-flipped': { token: (h, c) => { const t = jws(h, c, rs256('k1')).split('.'); t[2] = flip(t[2]); return t.join('.'); } },
  'sig-empty': { token: (h, c) => `${part(h)}.${part(c)}.` },
  'sig-other-key': { token: (h, c) => jws(h, c, rs256('k2')) },
  'sig-payload-swapped': {
    // A genuine signature over bob's claims, glued to alice's.
    token: (h, c) => {
      const signed = jws(h, { ...c, preferred_username: 'bob@example.com', sub: '00u-bob' }, rs256('k1')).split('.');
      return `${part(h)}.${part(c)}.${signed[2]}`;
    },
  },
  'jwk-injected': {
    // The header carries the attacker's own key (jwk, jku, x5u); only the JWKS may be used.
    token: (h, c) => jws({
      ...h, kid: 'attacker', jwk: rsaJwk('k2', { kid: 'attacker' }), jku: `${origin}/stolen/jwks`,
    }, c, rs256('k2')),
  },
  'crit-header': { header: (h) => ({ ...h, crit: ['exp'], exp: 1 }) },
  'jwe-shaped': { token: (h, c) => `${jws(h, c, rs256('k1'))}.${part('iv')}.${part('tag')}` },
  'jwks-ec': {
    jwks: () => {
      const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'ES256' }] };
    },
  },
  'jwks-use-enc': { jwks: () => ({ keys: [rsaJwk('k1', { use: 'enc' })] }) },
  'jwks-keyops-encrypt': { jwks: () => ({ keys: [rsaJwk('k1', { key_ops: ['encrypt'] })] }) },
  'jwks-alg-rs512': { jwks: () => ({ keys: [rsaJwk('k1', { alg: 'RS512' })] }) },
  'jwks-oct': {
    // A symmetric key holding the HMAC secret, with the HS256 token that matches it.
    jwks: () => ({ keys: [{ kty: 'oct', kid: KID, k: b64u('secret'), alg: 'HS256' }] }),
    token: (h, c) => jws({ ...h, alg: 'HS256' }, c,
      (input) => crypto.createHmac('sha256', 'secret').update(input).digest('base64url')),
  },
  'jwks-1024': {
    jwks: () => ({ keys: [rsaJwk('k1024', {}, 1024)] }),
    token: (h, c) => jws(h, c, (input) => crypto.sign('sha256', Buffer.from(input),
      rsaKey('k1024', 1024).privateKey).toString('base64url')),
  },
  'jwks-two-same-kid': { jwks: () => ({ keys: [rsaJwk('k1'), rsaJwk('k2')] }) },
  'jwks-e-even': { jwks: () => ({ keys: [{ ...rsaJwk('k1'), e: b64u(Buffer.from([1, 0, 0])) }] }) },
  'jwks-n-garbage': { jwks: () => ({ keys: [{ ...rsaJwk('k1'), n: 'not+base64/url==' }] }) },
  'jwks-not-array': { jwks: () => ({ keys: rsaJwk('k1') }) },
  // A maintenance page, served as the JWKS with a day's max-age: a cache
  // that keeps it would refuse every login for a day after the provider
  // is fixed.
  'jwks-garbage-cached': { jwks: () => '<html>Down for maintenance</html>', jwksMaxAge: 86400 },
  'jwks-empty-cached': { jwks: () => ({ keys: [] }), jwksMaxAge: 86400 },

  // -- claims that must not pass
  'claims-expired': { claims: (c) => ({ ...c, iat: c.iat - 7200, exp: c.iat - 3600 }) },
  'claims-nbf-future': { claims: (c) => ({ ...c, nbf: c.iat + 3600 }) },
  'claims-iat-future': { claims: (c) => ({ ...c, iat: c.iat + 86400, exp: c.iat + 90000 }) },
  'claims-iss-wrong': { claims: (c) => ({ ...c, iss: `${origin}/oauth2/other` }) },
  'claims-iss-slash': { claims: (c) => ({ ...c, iss: `${issuer}/` }) },
  'claims-iss-missing': { claims: (c) => { const { iss, ...rest } = c; return rest; } },
  'claims-aud-wrong': { claims: (c) => ({ ...c, aud: 'pog-other' }) },
  'claims-aud-multi-no-azp': { claims: (c) => ({ ...c, aud: [CLIENT, 'pog-other'] }) },
  'claims-aud-multi-wrong-azp': { claims: (c) => ({ ...c, aud: [CLIENT, 'pog-other'], azp: 'pog-other' }) },
  'claims-azp-wrong': { claims: (c) => ({ ...c, azp: 'pog-other' }) },
  'claims-aud-object': { claims: (c) => ({ ...c, aud: { [CLIENT]: true } }) },
  'claims-user-other': { claims: (c) => ({ ...c, preferred_username: 'bob@example.com' }) },
  'claims-user-domain': { claims: (c) => ({ ...c, preferred_username: `${USER}@example.com.evil.test` }) },
  'claims-user-two-at': { claims: (c) => ({ ...c, preferred_username: `${USER}@example.com@evil.test` }) },
  'claims-user-traversal': { claims: (c) => ({ ...c, preferred_username: `../${USER}@example.com` }) },
  'claims-user-escape': { claims: (c) => ({ ...c, preferred_username: `${USER}${ESC}[8m@example.com` }) },
  'claims-user-nul': { claims: (c) => ({ ...c, preferred_username: `${USER}\u0000@example.com` }) },
  'claims-user-array': { claims: (c) => ({ ...c, preferred_username: [`${USER}@example.com`] }) },
  'claims-exp-string': { claims: (c) => ({ ...c, exp: String(c.exp) }) },
  'claims-iat-string': { claims: (c) => ({ ...c, iat: String(c.iat) }) },
  'claims-exp-huge': { claims: (c) => ({ ...c, exp: 1e300 }) },
  'claims-exp-missing': { claims: (c) => { const { exp, ...rest } = c; return rest; } },
  'claims-sub-missing': { claims: (c) => { const { sub, ...rest } = c; return rest; } },
  'claims-sub-number': { claims: (c) => ({ ...c, sub: 1234 }) },
  'claims-sub-escape': { claims: (c) => ({ ...c, sub: `00u${ESC}[31m` }) },
  // With require_mfa = yes: amr must be an array holding "mfa".
  'claims-amr-missing': { claims: (c) => { const { amr, ...rest } = c; return rest; } },
  'claims-amr-string': { claims: (c) => ({ ...c, amr: 'mfa' }) },
  'claims-amr-no-mfa': { claims: (c) => ({ ...c, amr: ['pwd', 'otp'] }) },
  'claims-amr-upper': { claims: (c) => ({ ...c, amr: ['pwd', 'MFA'] }) },
  'claims-amr-nul': { claims: (c) => ({ ...c, amr: ['pwd', 'mfa\u0000x'] }) },
  'claims-amr-object': { claims: (c) => ({ ...c, amr: { mfa: true } }) },
  'claims-groups-object': { claims: (c) => ({ ...c, groups: { DevTeam: true } }) },
  'claims-groups-string': { claims: (c) => ({ ...c, groups: 'DevTeam' }) },
  'claims-groups-number': { claims: (c) => ({ ...c, groups: ['DevTeam', 7] }) },
  'claims-payload-array': { token: (h) => jws(h, [claimsDoc()], rs256('k1')) },
  'claims-payload-deep': { token: (h) => jws(h, `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, rs256('k1')) },
  'claims-payload-nan': { token: (h, c) => jws(h, JSON.stringify(c).replace(/"exp":\d+/, '"exp":NaN'), rs256('k1')) },
  'claims-payload-dup-iss': {
    // Two iss members, the good one first: RFC 7519 4 lets a parser keep
    // only the last, and then the last must be the one checked.
    token: (h, c) => jws(h, JSON.stringify(c).replace(/\}$/, `,"iss":"${origin}/oauth2/other"}`), rs256('k1')),
  },

  // -- groups only from userinfo (Okta's org server), with hostile answers there
  'userinfo-groups': { idGroups: false },
  'userinfo-sub-other': { idGroups: false, userinfo: (u) => ({ ...u, sub: '00u-bob' }) },
  'userinfo-groups-object': { idGroups: false, userinfo: (u) => ({ ...u, groups: { DevTeam: 1 } }) },
  'userinfo-not-json': { idGroups: false, userinfo: () => 'groups=DevTeam' },

  // -- the token endpoint
  'token-no-id-token': { tokenReply: () => ({ status: 200, body: { access_token: ACCESS_TOKEN, token_type: 'Bearer' } }) },
  'token-id-token-number': { tokenReply: () => ({ status: 200, body: { id_token: 5, token_type: 'Bearer' } }) },
  'token-type-mac': { tokenReply: (n, t) => ({ status: 200, body: { ...t, token_type: 'MAC' } }) },
  'token-id-token-huge': { tokenReply: (n, t) => ({ status: 200, body: { ...t, id_token: `${t.id_token}${pad(300 * 1024)}` } }) },
  'token-id-token-space': { tokenReply: (n, t) => ({ status: 200, body: { ...t, id_token: ` ${t.id_token}` } }) },
  'token-error-unknown': { tokenReply: () => ({ status: 400, body: { error: 'server_error' } }) },
  'token-error-escape': {
    tokenReply: () => ({ status: 400, body: { error: `access_denied${ESC}[31m`, error_description: `${ESC}]0;pwned\u0007` } }),
  },
  'token-denied-escape': {
    tokenReply: () => ({ status: 400, body: { error: 'access_denied', error_description: `${ESC}[2J${ESC}]0;pwned\u0007\r` } }),
  },
  // An access token that would add a header to the userinfo request.
  'token-access-crlf': {
    idGroups: false,
    tokenReply: (n, t) => ({ status: 200, body: { ...t, access_token: `${ACCESS_TOKEN}\r\nX-Evil: injected` } }),
  },
  'token-access-space': {
    idGroups: false,
    tokenReply: (n, t) => ({ status: 200, body: { ...t, access_token: `${ACCESS_TOKEN} x` } }),
  },
  'token-500': { tokenReply: () => ({ status: 500, body: { error: 'server_error' } }) },
  'token-pending-forever': { tokenReply: () => ({ status: 400, body: { error: 'authorization_pending' } }) },
  'token-slow-down-forever': { tokenReply: () => ({ status: 400, body: { error: 'slow_down' } }) },
  'token-429-forever': {
    tokenReply: () => ({ status: 429, body: { errorCode: 'E0000047' }, headers: { 'Retry-After': '1' } }),
  },
  'token-429-huge-retry': {
    tokenReply: () => ({ status: 429, body: { errorCode: 'E0000047' }, headers: { 'Retry-After': '99999999999999999999999' } }),
  },
  'token-429-negative-retry': {
    tokenReply: () => ({ status: 429, body: { errorCode: 'E0000047' }, headers: { 'Retry-After': '-5' } }),
  },

  // -- the device authorization response
  'device-interval-huge': { device: (d) => ({ ...d, interval: 1000000 }) },
  'device-interval-zero': { device: (d) => ({ ...d, interval: 0 }) },
  'device-interval-negative': { device: (d) => ({ ...d, interval: -5 }) },
  'device-interval-string': { device: (d) => ({ ...d, interval: '1' }) },
  'device-interval-fraction': { device: (d) => ({ ...d, interval: 0.001 }) },
  'device-interval-max': { device: (d) => ({ ...d, interval: 300 }), tokenReply: () => ({ status: 400, body: { error: 'authorization_pending' } }) },
  'device-expires-zero': { device: (d) => ({ ...d, expires_in: 0 }) },
  'device-expires-huge': { device: (d) => ({ ...d, expires_in: 1e12 }) },
  'device-expires-overflow': { device: () => '{"device_code":"abc","user_code":"WDJB-MJHT","verification_uri":"https://127.0.0.1/activate","expires_in":99999999999999999999999,"interval":1}' },
  'device-denied': { deviceReply: () => ({ status: 400, body: { error: 'access_denied', error_description: 'Policy evaluation failed' } }) },
  'device-expires-one': { device: (d) => ({ ...d, expires_in: 1 }), tokenReply: () => ({ status: 400, body: { error: 'authorization_pending' } }) },
  'device-code-missing': { device: (d) => { const { device_code, ...rest } = d; return rest; } },
  'device-code-huge': { device: (d) => ({ ...d, device_code: pad(5000) }) },

  // -- text to be shown
  'show-code-escape': { device: (d) => ({ ...d, user_code: `${ESC}[2J${ESC}[31mWDJB` }) },
  'show-code-osc': { device: (d) => ({ ...d, user_code: `WDJB${ESC}]0;pwned\u0007` }) },
  'show-code-cr': { device: (d) => ({ ...d, user_code: 'WDJB-MJHT\rCode:  0000-0000' }) },
  'show-code-bel': { device: (d) => ({ ...d, user_code: 'WDJB\u0007\u0007\u0007' }) },
  'show-code-bidi': { device: (d) => ({ ...d, user_code: 'WDJB\u202eTHJM' }) },
  'show-code-c1': { device: (d) => ({ ...d, user_code: 'WDJB\u009b31m' }) },
  'show-code-long': { device: (d) => ({ ...d, user_code: pad(10000) }) },
  'show-code-newline': { device: (d) => ({ ...d, user_code: 'WDJB\n\nApproved. Press Enter' }) },
  'show-uri-escape': { device: (d) => ({ ...d, verification_uri: `${origin}/activate${ESC}[8m`, verification_uri_complete: undefined }) },
  'show-uri-bidi': { device: (d) => ({ ...d, verification_uri: `https://\u202eevil.test/activate`, verification_uri_complete: undefined }) },
  'show-uri-complete-cr': { device: (d) => ({ ...d, verification_uri_complete: `${origin}/activate\r  Open:  https://evil.test/` }) },
  'show-uri-complete-bidi': { device: (d) => ({ ...d, verification_uri_complete: `${origin}/activate?\u202e=1` }) },
  'show-uri-http': { device: (d) => ({ ...d, verification_uri: 'http://127.0.0.1/activate', verification_uri_complete: undefined }) },
  'show-uri-javascript': { device: (d) => ({ ...d, verification_uri: 'javascript:alert(1)', verification_uri_complete: undefined }) },
  'show-uri-userinfo': { device: (d) => ({ ...d, verification_uri: 'https://okta.com@evil.test/activate', verification_uri_complete: undefined }) },
  'show-raw-control': {
    // A raw ESC byte inside a JSON string: not JSON at all.
    device: (d) => JSON.stringify(d).replace('WDJB-MJHT', `${ESC}[2JWDJB`),
  },

  // -- discovery
  'discovery-issuer-other': { discovery: (d) => ({ ...d, issuer: `${origin}/oauth2/other` }) },
  'discovery-issuer-escape': { discovery: (d) => ({ ...d, issuer: `${issuer}${ESC}[2J` }) },
  'discovery-token-http': { discovery: (d) => ({ ...d, token_endpoint: `http://127.0.0.1:${httpPort}/stolen/token` }) },
  'discovery-no-device-grant': { discovery: (d) => ({ ...d, grant_types_supported: ['authorization_code'] }) },
  'discovery-garbage-cached': { discovery: () => '<html>Down for maintenance</html>', discoveryMaxAge: 86400 },
  'discovery-hs256-only': { discovery: (d) => ({ ...d, id_token_signing_alg_values_supported: ['HS256', 'none'] }) },
  'discovery-endpoint-userinfo': { discovery: (d) => ({ ...d, token_endpoint: `https://admin:pw@127.0.0.1:${origin.split(':')[2]}/stolen/token` }) },
  // Endpoints on another host name (the same server, as localhost, which
  // its certificate covers), offered for a day: a forged document that
  // would hand the device code, the secret or the keys to another host.
  'discovery-elsewhere-all': { discovery: (d) => elsewhere(d, ['device_authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']), discoveryMaxAge: 86400 },
  'discovery-elsewhere-device': { discovery: (d) => elsewhere(d, ['device_authorization_endpoint']), discoveryMaxAge: 86400 },
  'discovery-elsewhere-token': { discovery: (d) => elsewhere(d, ['token_endpoint']), discoveryMaxAge: 86400 },
  'discovery-elsewhere-keys': { discovery: (d) => elsewhere(d, ['jwks_uri']), discoveryMaxAge: 86400 },
  'discovery-elsewhere-userinfo': { discovery: (d) => elsewhere(d, ['userinfo_endpoint']), discoveryMaxAge: 86400 },
  // The issuer's host on another port (the plain-http listener's).
  'discovery-elsewhere-port': { discovery: (d) => ({ ...d, token_endpoint: `https://127.0.0.1:${httpPort}/stolen/token` }), discoveryMaxAge: 86400 },

  // -- TLS
  'tls-untrusted': { tls: 'untrusted' },
  'tls-selfsigned': { tls: 'selfsigned' },
  'tls-wronghost': { tls: 'wronghost' },
  'tls-expired': { tls: 'expired' },
  'tcp-silent': { tls: 'none' },
};

// ---- hostile transport: BEHAVIOUR@ENDPOINT ---------------------------------------------------

function bigJson(bytes) {
  return `{"issuer":"${issuer}","pad":"${pad(bytes)}"}`;
}

const TRANSPORT = {
  // accept the request, never answer
  hang: () => {},
  // a byte a second, forever
  trickle: (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100000' });
    res.write('{');
    const t = setInterval(() => { if (!res.destroyed) res.write(' '); }, 1000);
    res.on('close', () => clearInterval(t));
  },
  // the status line a byte a second
  'trickle-headers': (req, res) => {
    const s = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}';
    let i = 0;
    const t = setInterval(() => {
      if (res.socket.destroyed || i >= s.length) return clearInterval(t);
      res.socket.write(s[i]);
      i += 1;
      return undefined;
    }, 1000);
    res.socket.on('close', () => clearInterval(t));
  },
  // far over the 1 MiB cap, with a Content-Length
  big: (req, res) => send(res, 200, bigJson(8 * MIB)),
  // far over the cap, chunked, no Content-Length: forever
  endless: (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = ' '.repeat(64 * 1024);
    const more = () => {
      while (!res.destroyed && res.write(chunk)) { /* until the buffer is full */ }
    };
    res.on('drain', more);
    res.write('{"pad":');
    more();
  },
  // a gzip bomb, sent although nobody asked for gzip
  gzip: (req, res) => {
    const body = zlib.gzipSync(Buffer.alloc(64 * MIB, 0x20));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': body.length });
    res.end(body);
  },
  // thousands of headers
  headers: (req, res) => {
    const h = { 'Content-Type': 'application/json' };
    for (let i = 0; i < 5000; i += 1) h[`X-Pad-${i}`] = pad(100);
    res.writeHead(200, h);
    res.end('{}');
  },
  invalid: (req, res) => send(res, 200, `{"issuer": "${issuer}", "token_endpoint": `),
  html: (req, res) => send(res, 200, '<html><body>Sign in to Okta</body></html>', 'text/html'),
  empty: (req, res) => send(res, 200, ''),
  array: (req, res) => send(res, 200, '[]'),
  deep: (req, res) => send(res, 200, `{"a":${'['.repeat(100000)}${']'.repeat(100000)}}`),
  'deep-object': (req, res) => send(res, 200, `${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}`),
  nul: (req, res) => send(res, 200, `{"issuer":"${issuer}\u0000","error":"x"}`),
  'bad-utf8': (req, res) => send(res, 200, Buffer.concat([Buffer.from('{"error":"'), Buffer.from([0xc0, 0xaf, 0xff]), Buffer.from('"}')])),
  trailing: (req, res) => send(res, 200, '{"error":"authorization_pending"} {"id_token":"x"}'),
  // a redirect to another host name (the same server, as localhost) and to plain http
  'redirect-host': (req, res) => {
    res.writeHead(307, { Location: `https://localhost:${origin.split(':')[2]}/stolen${req.url}` });
    res.end();
  },
  'redirect-http': (req, res) => {
    res.writeHead(307, { Location: `http://127.0.0.1:${httpPort}/stolen${req.url}` });
    res.end();
  },
  500: (req, res) => send(res, 500, { error: 'server_error' }),
  503: (req, res) => send(res, 503, '<html>Service Unavailable</html>', 'text/html'),
  404: (req, res) => send(res, 404, { errorCode: 'E0000022' }),
  // promise 1000 bytes, send 10, hang up
  truncated: (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
    res.write('{"issuer":');
    setTimeout(() => res.socket.destroy(), 100);
  },
  // hang up at once
  close: (req, res) => res.socket.destroy(),
  // not HTTP at all
  garbage: (req, res) => {
    res.socket.write('SSH-2.0-OpenSSH_9.2\r\n\u001b[2J\u0000\u0000');
    res.socket.end();
  },
};

// ---- HTTP ------------------------------------------------------------------------------------

function send(res, status, body, type = 'application/json', headers = {}) {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 65536) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function drop(obj) {
  // undefined members go away, as JSON.stringify does
  return typeof obj === 'string' ? obj : JSON.parse(JSON.stringify(obj));
}

// The mode in force: EVIL_MODE, or the name in EVIL_DIR/mode when that
// file exists (read on every request, so one server serves many cases;
// the TLS modes need a server of their own).
let modeName;
let mode;
let behaviour;
let target;
function parseMode(name) {
  const at = name.indexOf('@');
  if (at > 0) {
    const b = TRANSPORT[name.slice(0, at)];
    const t = name.slice(at + 1);
    return b && ROUTES[t] ? { mode: {}, behaviour: b, target: t } : undefined;
  }
  return MODES[name] ? { mode: MODES[name] } : undefined;
}
function setMode(name) {
  if (name === modeName) return true;
  const m = parseMode(name);
  if (!m) return false;
  ({ mode, behaviour, target } = m);
  modeName = name;
  return true;
}
function currentMode() {
  let name;
  try {
    name = fs.readFileSync(path.join(DIR, 'mode'), 'utf8').trim();
  } catch {
    return true;
  }
  if (setMode(name)) return true;
  log(`unknown mode ${name}`);
  return false;
}
if (!setMode(MODE)) die(`unknown mode ${MODE}`);

let polls = 0;

function idToken() {
  let header = { alg: 'RS256', kid: KID, typ: 'JWT' };
  let claims = claimsDoc();
  if (mode.idGroups === false) delete claims.groups;
  if (mode.claims) claims = mode.claims(claims);
  if (mode.header) header = mode.header(header);
  if (mode.token) return mode.token(header, claims);
  return jws(header, claims, rs256('k1'));
}

async function handle(req, res) {
  const { pathname } = new URL(req.url, 'https://127.0.0.1');
  res.on('finish', () => log(`${req.method} ${pathname} ${res.statusCode}`));
  res.on('close', () => { if (!res.writableFinished) log(`${req.method} ${pathname} aborted`); });

  if (pathname.startsWith('/stolen')) {
    log(`STOLEN ${req.method} ${req.url} host=${req.headers.host}`);
    return send(res, 200, { stolen: true });
  }
  if (!currentMode()) return send(res, 500, { error: 'evil_unknown_mode' });
  const endpoint = Object.keys(ROUTES).find((k) => ROUTES[k] === pathname);
  if (!endpoint) return send(res, 404, { errorCode: 'E0000022', errorSummary: 'not found' });
  const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : null;
  if (endpoint === target) return behaviour(req, res);

  switch (endpoint) {
  case 'discovery': {
    const d = mode.discovery ? mode.discovery(discoveryDoc()) : discoveryDoc();
    return send(res, 200, drop(d), 'application/json', { 'Cache-Control': `max-age=${mode.discoveryMaxAge || 300}` });
  }
  case 'keys': {
    const k = mode.jwks ? mode.jwks() : { keys: [rsaJwk('k1')] };
    return send(res, 200, k, 'application/json', { 'Cache-Control': `max-age=${mode.jwksMaxAge || 300}` });
  }
  case 'device': {
    if (form.get('client_id') !== CLIENT) return send(res, 401, { error: 'invalid_client' });
    polls = 0; // a new login
    if (mode.deviceReply) { const r = mode.deviceReply(); return send(res, r.status, r.body); }
    const d = mode.device ? mode.device(deviceDoc()) : deviceDoc();
    return send(res, 200, drop(d));
  }
  case 'token': {
    if (form.get('grant_type') !== DEVICE_GRANT || !form.get('device_code')) {
      return send(res, 400, { error: 'invalid_request' });
    }
    polls += 1;
    if (polls <= PENDING) return send(res, 400, { error: 'authorization_pending' });
    const ok = {
      token_type: 'Bearer', expires_in: 3600, access_token: ACCESS_TOKEN, scope: 'openid profile email groups',
      id_token: idToken(),
    };
    const r = mode.tokenReply ? mode.tokenReply(polls, ok) : undefined;
    if (r) return send(res, r.status, r.body, 'application/json', r.headers || {});
    return send(res, 200, ok);
  }
  case 'userinfo': {
    if (req.headers['x-evil']) log(`STOLEN header X-Evil: ${req.headers['x-evil']}`);
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return send(res, 401, { error: 'invalid_token' });
    const c = claimsDoc();
    let u = { sub: c.sub, preferred_username: c.preferred_username, email: c.email, groups: c.groups };
    if (mode.userinfo) u = mode.userinfo(u);
    return send(res, 200, u);
  }
  default:
    return send(res, 404, {});
  }
}

// ---- start -----------------------------------------------------------------------------------

function writeState(name, value) {
  fs.writeFileSync(path.join(DIR, `${name}.tmp`), `${value}\n`);
  fs.renameSync(path.join(DIR, `${name}.tmp`), path.join(DIR, name));
}

const CERT_FILES = {
  undefined: 'server', untrusted: 'untrusted-server', selfsigned: 'selfsigned',
  wronghost: 'wronghost', expired: 'expired',
};

// A plain-http listener: a redirect or an endpoint that sends a client here has failed.
const plain = http.createServer((req, res) => {
  log(`STOLEN ${req.method} ${req.url} (plain http)`);
  send(res, 200, { stolen: true });
});

let server;
if (mode.tls === 'none') {
  // TCP that never speaks TLS: the handshake waits forever.
  server = net.createServer((sock) => { sock.on('error', () => {}); });
} else {
  const base = CERT_FILES[mode.tls];
  server = https.createServer({
    key: fs.readFileSync(path.join(CERTS, `${base}.key`)),
    cert: fs.readFileSync(path.join(CERTS, `${base}.crt`)),
  }, (req, res) => handle(req, res).catch((e) => {
    log(`error: ${e.stack}`);
    if (!res.headersSent) send(res, 500, { error: 'evil_internal' });
  }));
  server.on('tlsClientError', (e) => log(`TLS ${e.code || e.message}`));
}
server.on('error', (e) => die(`cannot listen: ${e.message}`));

plain.listen(0, '127.0.0.1', () => {
  httpPort = plain.address().port;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    origin = `https://127.0.0.1:${port}`;
    issuer = `${origin}${BASE}`;
    rsaKey('k1');
    writeState('http_port', httpPort);
    writeState('port', port);
    writeState('issuer', issuer);
    log(`listening mode=${modeName} issuer=${issuer} pid=${process.pid}`);
  });
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
