// The corsproof corpus app on Express with the `cors` package (tests/corpus/__init__.py has the shape).
//
//   CORPUS_CORS=reflect-any CORPUS_SAMESITE=None PORT=0 node app.js
//
// Listens on 127.0.0.1:PORT (0: a free port) and prints one line, "listening on http://127.0.0.1:PORT",
// when it does; tests/corpus/express_app.py waits for that line. Exits 2 for a configuration the cors
// package cannot express or an environment value not in the corpus.
'use strict';

const crypto = require('node:crypto');
const express = require('express');
const cors = require('cors');

// The same values as tests/corpus/__init__.py.
const TRUSTED_ORIGIN = 'https://www.shop.example';
const USER = 'alice';
const SESSION_COOKIE = 'sid';
const UNANCHORED_REGEX = 'https://.*shop\\.example';
const SUBDOMAINS_REGEX = '^https://([a-z0-9-]+\\.)?shop\\.example$';

// cors options per configuration. Matching (node_modules/cors/lib/index.js): a string origin is sent
// as it is, whoever asks; an array, a RegExp or `true` reflects the request's Origin when
// isOriginAllowed: a string element by ===, a RegExp by .test() (a search: anchored nowhere unless the
// pattern says so), `true` for any. Unless allowedHeaders is given, a preflight's
// Access-Control-Request-Headers are echoed back, and methods default to GET,HEAD,PUT,PATCH,POST,DELETE.
const CORS = {
  exact: { origin: TRUSTED_ORIGIN, credentials: true },
  // cors's README: "origin: true ... to reflect the request origin"; with credentials, every Origin.
  'reflect-any': { origin: true, credentials: true },
  // RegExp.test searches: no ^ or $ means any Origin that contains a match.
  'unanchored-regex': { origin: [new RegExp(UNANCHORED_REGEX)], credentials: true },
  // 'null' is a string, compared with === against the opaque origin's header "null".
  'null-trusted': { origin: [TRUSTED_ORIGIN, 'null'], credentials: true },
  subdomains: { origin: [new RegExp(SUBDOMAINS_REGEX)], credentials: true },
  // Every method, and (allowedHeaders left out) every header the preflight asks for: cors's defaults
  // already are this liberal, so this answers as exact does, with OPTIONS listed besides.
  'open-preflight': {
    origin: TRUSTED_ORIGIN,
    credentials: true,
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS'],
  },
};

// Express's res.cookie takes sameSite as a word; undefined leaves the attribute out.
const SAMESITE = { None: 'none', Lax: 'lax', Strict: 'strict', unset: undefined };

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const configuration = process.env.CORPUS_CORS || 'exact';
if (!Object.hasOwn(CORS, configuration)) {
  fail(`CORPUS_CORS=${configuration}: expected one of ${Object.keys(CORS).join(', ')}`);
}
const samesiteName = process.env.CORPUS_SAMESITE || 'None';
if (!Object.hasOwn(SAMESITE, samesiteName)) {
  fail(`CORPUS_SAMESITE=${samesiteName}: expected None, Lax, Strict or unset`);
}
const port = Number(process.env.PORT || '0');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail(`PORT=${process.env.PORT}: expected a port number (0: any free port)`);
}

const sessions = new Set();
const orders = [];
const app = express();
// No validators, as in the other corpus apps: no 304 revalidation mixes one request's answer into another's.
app.set('etag', false);
app.disable('x-powered-by');
// As cors's README does it: the middleware for every route, preflights included.
app.use(cors(CORS[configuration]));
app.use(express.urlencoded({ extended: false }));

function loggedIn(req) {
  const header = req.headers.cookie || '';
  for (const pair of header.split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === SESSION_COOKIE && sessions.has(value.join('='))) return true;
  }
  return false;
}

function logInFirst(res) {
  res.status(401).json({ error: 'log in first' });
}

// Logs alice in: a new session in the cookie, with the corpus's SameSite.
app.get('/login', (req, res) => {
  const session = crypto.randomBytes(16).toString('base64url');
  sessions.add(session);
  res.cookie(SESSION_COOKIE, session, { secure: true, httpOnly: true, sameSite: SAMESITE[samesiteName] });
  res.type('html').send('<!doctype html><title>logged in</title><p>Logged in as alice.');
});

// The user's private data with a session; 401 without.
app.get('/me', (req, res) => {
  if (!loggedIn(req)) return logInFirst(res);
  res.json({ user: USER, email: `${USER}@mail.example`, card: '**** 4242' });
});

// A state change with a session; 401 without.
app.put('/me', (req, res) => {
  if (!loggedIn(req)) return logInFirst(res);
  res.json({ user: USER, updated: true });
});

// A form post placing an order with a session; 401 without.
app.post('/orders', (req, res) => {
  if (!loggedIn(req)) return logInFirst(res);
  orders.push(String((req.body && req.body.item) || 'audit item'));
  res.json({ ordered: orders.length });
});

// The same public data whoever asks.
app.get('/public', (req, res) => {
  res.json({ public: true, shop: 'shop.example' });
});

const server = app.listen(port, '127.0.0.1', (error) => {
  if (error) fail(`cannot listen on 127.0.0.1:${port}: ${error.message}`);
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
server.on('error', (error) => fail(`cannot listen on 127.0.0.1:${port}: ${error.message}`));

// Stop at once on SIGTERM or SIGINT: open keep-alive connections must not hold the process up.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
