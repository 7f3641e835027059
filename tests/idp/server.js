// Okta-shaped OpenID provider for the pam_okta_groups tests, built on oidc-provider 8.
// It listens on 127.0.0.1 only, over HTTPS, and speaks the OAuth 2.0 Device Authorization Grant.
//
// Environment:
//   IDP_DIR          required. State folder: server.crt/server.key from mkca.sh; the server writes
//                    port, issuer, idp.log and signing-key.json (RSA key, kept across restarts).
//   IDP_PORT         TCP port on 127.0.0.1; 0 (default) picks a free one. The port is written to
//                    $IDP_DIR/port (and the issuer URL to $IDP_DIR/issuer) only once listening.
//   IDP_USERS        JSON file of users, re-read on every lookup (default $IDP_DIR/users.json,
//                    created with alice and bob when missing). Format:
//                    {"alice": {"password": "pw", "email": "...", "preferred_username": "...",
//                               "name": "...", "groups": [...], "amr": ["pwd", "mfa"],
//                               "acr": "phr", "auth_time": 1700000000}}   (acr, auth_time optional)
//                    The key is the login name; the token's sub is "00u-" + key, or the user's
//                    "sub" when given (a user deleted and recreated under the same login).
//                    Values are copied into the claims as they are (a malformed "groups" stays
//                    malformed); "email_verified" only when the record has it.
//   IDP_STYLE        custom (default): issuer https://127.0.0.1:PORT/oauth2/default, endpoints
//                    under /oauth2/default/v1/, groups in the ID token when the groups scope is asked.
//                    org: issuer https://127.0.0.1:PORT, endpoints under /oauth2/v1/, groups only
//                    from userinfo (thin ID token, like Okta's org authorization server).
//   IDP_INTERVAL     seconds, the device authorization response's "interval" (default 1).
//   IDP_DEVICE_TTL   seconds, the device code lifetime, "expires_in" (default 600).
//   IDP_SLOW_DOWN    N: the first N token polls of each device code get "slow_down" (default 0).
//                    Polling sooner than the current interval (interval + 5 s per slow_down sent,
//                    100 ms tolerance) also gets "slow_down", always.
//   IDP_TOKEN_429    N: the first N token polls of each device code get HTTP 429 with a
//                    Retry-After header, before any IDP_SLOW_DOWN ones (default 0).
//   IDP_RETRY_AFTER  seconds in that Retry-After header (default 2).
//
// Clients: pog-public (public), pog-confidential (secret pog-secret-123, client_secret_basic),
// pog-other (public). Test-only endpoints: GET /__test/stats, POST /__test/reset.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';

import Provider from 'oidc-provider';

const DIR = process.env.IDP_DIR;
if (!DIR) fail('IDP_DIR is required');
const STYLE = process.env.IDP_STYLE || 'custom';
if (!['custom', 'org'].includes(STYLE)) fail(`IDP_STYLE must be custom or org, not ${STYLE}`);
const USERS = process.env.IDP_USERS || path.join(DIR, 'users.json');
const PORT = envNumber('IDP_PORT', 0);
const INTERVAL = envNumber('IDP_INTERVAL', 1);
const DEVICE_TTL = envNumber('IDP_DEVICE_TTL', 600);
const SLOW_DOWN = envNumber('IDP_SLOW_DOWN', 0);
const TOKEN_429 = envNumber('IDP_TOKEN_429', 0);
const RETRY_AFTER = envNumber('IDP_RETRY_AFTER', 2);

const SUB_PREFIX = '00u-';
const TOLERANCE_MS = 100;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
// The issuer's path, and where the /v1/ endpoints live below the host.
const ISSUER_PATH = STYLE === 'custom' ? '/oauth2/default' : '';
const V1 = STYLE === 'custom' ? '/v1' : '/oauth2/v1';
const ROUTES = {
  authorization: `${V1}/authorize`,
  code_verification: '/activate',
  device_authorization: `${V1}/device/authorize`,
  end_session: `${V1}/logout`,
  introspection: `${V1}/introspect`,
  jwks: `${V1}/keys`,
  revocation: `${V1}/revoke`,
  token: `${V1}/token`,
  userinfo: `${V1}/userinfo`,
};

function fail(msg) {
  console.error(`idp: ${msg}`);
  process.exit(1);
}

function envNumber(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a number >= 0, not ${raw}`);
  return n;
}

// ---- users ---------------------------------------------------------------------------------

const SAMPLE_USERS = {
  alice: {
    password: 'pw', email: 'alice@example.com', preferred_username: 'alice@example.com',
    name: 'Alice', groups: ['DevTeam', 'Organization Admins'], amr: ['pwd', 'mfa'],
  },
  bob: {
    password: 'pw', email: 'bob@example.com', preferred_username: 'bob@example.com',
    name: 'Bob', groups: ['Everyone'], amr: ['pwd'],
  },
};

function readUsers() {
  try {
    return JSON.parse(fs.readFileSync(USERS, 'utf8'));
  } catch (err) {
    log(`cannot read users file ${USERS}: ${err.message}`);
    return {};
  }
}

function findUser(name) {
  const users = readUsers();
  return Object.hasOwn(users, name) ? users[name] : undefined;
}

async function findAccount(ctx, accountId) {
  if (!findUser(accountId)) return undefined;
  return {
    accountId,
    async claims(use) {
      const user = findUser(accountId) || {};
      const claims = { sub: typeof user.sub === 'string' ? user.sub : SUB_PREFIX + accountId };
      for (const k of ['name', 'preferred_username', 'email', 'email_verified', 'groups']) {
        if (user[k] !== undefined) claims[k] = user[k];
      }
      // Okta's org authorization server issues thin ID tokens: groups only from userinfo.
      if (STYLE === 'org' && use === 'id_token') delete claims.groups;
      return claims;
    },
  };
}

// ---- signing key, kept in IDP_DIR so restarts keep the same kid ----------------------------

function signingKey() {
  const file = path.join(DIR, 'signing-key.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint as the kid.
  const kid = crypto.createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
  const key = { ...jwk, kid, alg: 'RS256', use: 'sig' };
  fs.writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
  return key;
}

// ---- storage: like oidc-provider's memory adapter, but expired entries stay an hour longer,
// so that polling an expired device code answers expired_token rather than invalid_grant. ----

const data = new Map();
const GRACE_MS = 3600 * 1000;

function put(key, value, expiresIn) {
  const until = expiresIn ? Date.now() + expiresIn * 1000 + GRACE_MS : Infinity;
  data.set(key, { value, until });
}

function get(key) {
  const entry = data.get(key);
  if (entry && entry.until < Date.now()) data.delete(key);
  return entry && entry.until >= Date.now() ? entry.value : undefined;
}

class Adapter {
  constructor(model) { this.model = model; }

  key(id) { return `${this.model}:${id}`; }

  async upsert(id, payload, expiresIn) {
    put(this.key(id), payload, expiresIn);
    if (payload.userCode) put(`userCode:${payload.userCode}`, id, expiresIn);
    if (this.model === 'Session') put(`sessionUid:${payload.uid}`, id, expiresIn);
    if (payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      put(grantKey, [...(get(grantKey) || []), this.key(id)]);
    }
  }

  async find(id) { return get(this.key(id)); }

  async findByUserCode(userCode) {
    const id = get(`userCode:${userCode}`);
    return id && this.find(id);
  }

  async findByUid(uid) {
    const id = get(`sessionUid:${uid}`);
    return id && this.find(id);
  }

  async consume(id) {
    const payload = get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) { data.delete(this.key(id)); }

  async revokeByGrantId(grantId) {
    for (const key of get(`grant:${grantId}`) || []) data.delete(key);
    data.delete(`grant:${grantId}`);
  }
}

// ---- HTML pages: the provider's device pages, the login and consent interactions ------------
// Each page's <body> carries data-page="..." so approve.js knows where it is.

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(kind, title, body, extra = '') {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body data-page="${kind}"${extra}>
<h1>${esc(title)}</h1>
${body}
</body></html>
`;
}

async function userCodeInputSource(ctx, form, out, err) {
  let kind = 'code-input';
  let msg = 'Enter the code displayed on your device.';
  if (err && err.name === 'AbortedError') {
    kind = 'aborted';
    msg = 'The sign-in request was aborted.';
  } else if (err) {
    kind = 'code-error';
    msg = err.userCode || err.name === 'NoCodeError'
      ? `The code you entered is incorrect (${err.message}). Try again.`
      : `There was an error processing your request (${err.message}).`;
  }
  ctx.body = page(kind, 'Activate your device', `<p class="message">${esc(msg)}</p>
${form}
<button type="submit" form="op.deviceInputForm">Next</button>`, err ? ` data-error="${esc(err.name)}"` : '');
}

async function userCodeConfirmSource(ctx, form, client, deviceInfo, userCode) {
  ctx.body = page('code-confirm', 'Confirm device', `<p>Sign in to <strong>${esc(client.clientName || client.clientId)}</strong>.
Check that your device shows this code: <code id="user_code">${esc(userCode)}</code></p>
${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`);
}

async function successSource(ctx) {
  ctx.body = page('success', 'Device activated', '<p>Sign-in successful. You can close this page and return to your device.</p>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('error', 'Error', Object.entries(out)
    .map(([k, v]) => `<pre id="${esc(k)}">${esc(k)}: ${esc(v)}</pre>`).join('\n'));
}

function loginPage(uid, error) {
  return page('login', 'Sign in', `${error ? `<p class="error">${esc(error)}</p>\n` : ''}<form method="post" action="${ISSUER_PATH}/interaction/${esc(uid)}/login">
<input type="text" name="username" placeholder="Username" autofocus>
<input type="password" name="password" placeholder="Password">
<button type="submit">Sign in</button>
</form>
<a href="${ISSUER_PATH}/interaction/${esc(uid)}/abort">Cancel</a>`, error ? ' data-error="login_failed"' : '');
}

function consentPage(uid, clientId, scopes) {
  return page('consent', 'Allow access', `<p><strong>${esc(clientId)}</strong> asks for: ${esc(scopes.join(' '))}</p>
<form method="post" action="${ISSUER_PATH}/interaction/${esc(uid)}/confirm">
<button type="submit">Allow</button>
</form>
<a href="${ISSUER_PATH}/interaction/${esc(uid)}/abort">Deny</a>`);
}

// ---- the provider ----------------------------------------------------------------------------

function makeProvider(port) {
  const issuer = `https://127.0.0.1:${port}${ISSUER_PATH}`;
  const deviceClient = (extra) => ({
    grant_types: [DEVICE_GRANT], response_types: [], redirect_uris: [], ...extra,
  });
  const provider = new Provider(issuer, {
    adapter: Adapter,
    clients: [
      deviceClient({ client_id: 'pog-public', client_name: 'pam_okta_groups', token_endpoint_auth_method: 'none' }),
      deviceClient({
        client_id: 'pog-confidential', client_name: 'pam_okta_groups (confidential)',
        client_secret: 'pog-secret-123', token_endpoint_auth_method: 'client_secret_basic',
      }),
      deviceClient({ client_id: 'pog-other', client_name: 'some other app', token_endpoint_auth_method: 'none' }),
    ],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub', 'amr', 'acr', 'auth_time'], // amr, acr and auth_time come from the login (the user record)
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // Without this the ID token of a device grant only carries sub: scope claims go to the
    // ID token as well as to userinfo (the org style then drops groups in findAccount).
    conformIdTokenClaims: false,
    findAccount,
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true, userCodeInputSource, userCodeConfirmSource, successSource,
      },
      pushedAuthorizationRequests: { enabled: false },
      userinfo: { enabled: true },
    },
    interactions: { url: (ctx, interaction) => `${ISSUER_PATH}/interaction/${interaction.uid}` },
    renderError,
    responseTypes: ['code'],
    routes: ROUTES,
    ttl: {
      AccessToken: 3600, DeviceCode: DEVICE_TTL, Grant: 3600, IdToken: 3600, Interaction: 600, Session: 3600,
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if ((route === 'discovery' || route === 'jwks') && ctx.status === 200) {
      ctx.set('Cache-Control', 'max-age=300');
    }
    // oidc-provider 8 sends no interval; add it, and start tracking the polls of this code.
    if (route === 'device_authorization' && ctx.status === 200 && ctx.body?.device_code) {
      ctx.body = { ...ctx.body, interval: INTERVAL };
      polls.set(ctx.body.device_code, { count: 0, interval: INTERVAL, earliest: 0 });
    }
  });
  provider.on('server_error', (ctx, err) => log(`server_error: ${err.stack}`));
  return provider;
}

// ---- token polling: 429, slow_down ------------------------------------------------------------

const polls = new Map(); // device_code -> { count, interval (s), earliest (ms) }

function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers,
  });
  res.end(JSON.stringify(body));
}

// Returns true when it answered the poll itself.
function gateTokenPoll(form, res) {
  const state = form.get('grant_type') === DEVICE_GRANT && polls.get(form.get('device_code'));
  if (!state) return false;
  const now = Date.now();
  state.count += 1;
  if (state.count <= TOKEN_429) {
    state.earliest = now + RETRY_AFTER * 1000;
    sendJson(res, 429, {
      errorCode: 'E0000047',
      errorSummary: 'API call exceeded rate limit due to too many requests.',
    }, { 'Retry-After': String(RETRY_AFTER) });
    return true;
  }
  if (state.count <= TOKEN_429 + SLOW_DOWN || now < state.earliest - TOLERANCE_MS) {
    state.interval += 5;
    state.earliest = now + state.interval * 1000;
    sendJson(res, 400, {
      error: 'slow_down',
      error_description: `polling too fast, wait ${state.interval} s between polls`,
    });
    return true;
  }
  state.earliest = now + state.interval * 1000;
  return false;
}

// ---- interactions: login (checks IDP_USERS), consent, abort ----------------------------------

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session } = details;
  const html = (status, body) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  };

  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  if (!action) {
    if (prompt.name === 'login') return html(200, loginPage(uid));
    const scopes = [...(prompt.details.missingOIDCScope || []), ...Object.values(prompt.details.missingResourceScopes || {}).flat()];
    return html(200, consentPage(uid, params.client_id, scopes));
  }
  if (req.method !== 'POST') return html(405, page('error', 'Error', '<p>POST expected</p>'));
  const form = new URLSearchParams(await readBody(req));

  if (action === 'login' && prompt.name === 'login') {
    const username = form.get('username') || '';
    const user = findUser(username);
    if (!user || typeof user.password !== 'string' || user.password !== form.get('password')) {
      return html(401, loginPage(uid, 'Invalid username or password.'));
    }
    // acr as the record gives it (a string); auth_time (epoch seconds) backdates the login.
    const login = { accountId: username, amr: Array.isArray(user.amr) ? user.amr : ['pwd'] };
    if (typeof user.acr === 'string') login.acr = user.acr;
    if (Number.isInteger(user.auth_time)) login.ts = user.auth_time;
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return html(400, page('error', 'Error', `<p>unexpected ${esc(action)} at the ${esc(prompt.name)} prompt</p>`));
}

// ---- HTTP front: logging, stats, issuer path, then the provider -------------------------------

let stats = {};
const LOG = path.join(DIR, 'idp.log');

function log(line) {
  try {
    fs.appendFileSync(LOG, `${new Date().toISOString()} ${line}\n`);
  } catch { /* the log is best effort */ }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 65536) { reject(new Error('body too large')); req.destroy(); } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function front(provider) {
  const app = provider.callback();
  return async (req, res) => {
    const { pathname } = new URL(req.url, 'https://127.0.0.1');
    res.on('finish', () => log(`${req.method} ${pathname} ${res.statusCode}`));
    try {
      if (pathname === '/__test/stats' && req.method === 'GET') return sendJson(res, 200, stats);
      if (pathname === '/__test/reset' && req.method === 'POST') {
        stats = {};
        return sendJson(res, 200, {});
      }
      stats[pathname] = (stats[pathname] || 0) + 1;

      // The provider runs under the issuer's path: hand it the rest, and keep the full URL in
      // originalUrl, from which oidc-provider works out its mount path.
      let sub = pathname;
      if (ISSUER_PATH) {
        if (!pathname.startsWith(`${ISSUER_PATH}/`)) {
          return sendJson(res, 404, { error: 'not_found', error_description: `not under ${ISSUER_PATH}` });
        }
        sub = pathname.slice(ISSUER_PATH.length);
        req.originalUrl = req.url;
        req.url = req.url.slice(ISSUER_PATH.length);
      }

      const m = sub.match(/^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/);
      if (m) return await interaction(provider, req, res, m[1], m[2]);

      if (sub === ROUTES.token && req.method === 'POST') {
        const body = await readBody(req);
        if (gateTokenPoll(new URLSearchParams(body), res)) return undefined;
        req.body = body; // the provider parses this already-read body itself
      }
      return app(req, res);
    } catch (err) {
      log(`error on ${req.method} ${pathname}: ${err.stack}`);
      if (res.headersSent) return res.destroy();
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(page('error', 'Error', `<pre id="error">${esc(err.name)}: ${esc(err.message)}</pre>`));
    }
  };
}

// ---- start -----------------------------------------------------------------------------------

if (!process.env.IDP_USERS && !fs.existsSync(USERS)) {
  fs.writeFileSync(USERS, `${JSON.stringify(SAMPLE_USERS, null, 2)}\n`);
}

let handler = (req, res) => sendJson(res, 503, { error: 'starting' });
const server = https.createServer({
  key: fs.readFileSync(path.join(DIR, 'server.key')),
  cert: fs.readFileSync(path.join(DIR, 'server.crt')),
}, (req, res) => handler(req, res));

server.on('error', (err) => fail(`cannot listen on 127.0.0.1:${PORT}: ${err.message}`));
server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  const provider = makeProvider(port);
  handler = front(provider);
  for (const [name, value] of [['issuer', provider.issuer], ['port', port]]) {
    fs.writeFileSync(path.join(DIR, `${name}.tmp`), `${value}\n`);
    fs.renameSync(path.join(DIR, `${name}.tmp`), path.join(DIR, name));
  }
  log(`listening: style=${STYLE} issuer=${provider.issuer} pid=${process.pid}`);
  console.log(`idp: ${provider.issuer}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => { server.close(); process.exit(0); });
}
