// The OpenID Connect provider the tests sign staff in through: Node's oidc-provider (OpenID
// certified), on loopback, with its own login form (devInteractions: any password, the login
// names the account) and consent granted up front, as a municipality's provider does for its
// own applications. It prints "ready <port>" once it listens.
//
// The test fixture steers it through POST /__control (JSON), which builds the provider anew
// (same issuer, same in-memory store, so sessions and codes survive):
//   {"clients": [...]}            the registered clients (oidc-provider's client metadata)
//   {"accounts": {login: {...}}}  the people: claims by login (groups, email, name)
//   {"rotate": true}              a new signing key first, the old one still published
//   {"impostor": true|false}      /jwks publishes other keys under the same key ids
//   {"id_token_seconds": n}       lifetime of the ID tokens issued from now on
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function publicPart({ kty, n, e, kid, alg, use }) {
  return { kty, n, e, kid, alg, use };
}

const state = {
  clients: [],
  accounts: {},
  keys: [signingKey()],
  impostor: false,
  idTokenSeconds: 600,
  jwksServed: 0,
};
let provider;

function build(issuer) {
  const built = new Provider(issuer, {
    clients: state.clients,
    jwks: { keys: state.keys },
    cookies: { keys: ['konsensus-tests-only'] },
    scopes: ['openid', 'email', 'profile'],
    // Groups come with the profile, as a municipality's provider sends them unasked.
    claims: { email: ['email'], profile: ['name', 'groups'] },
    // The ID token carries the claims the scopes ask for (groups among them).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: { IdToken: () => state.idTokenSeconds },
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    async findAccount(ctx, id) {
      const account = state.accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['email', 'name', 'groups']);
      await grant.save();
      return grant;
    },
  });
  return built;
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => { try { resolve(JSON.parse(body || '{}')); } catch (e) { reject(e); } });
  });
}

const server = http.createServer(async (req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/__control') {
    if (req.method === 'POST') {
      const change = await readJson(req);
      if (change.clients) state.clients = change.clients;
      if (change.accounts) state.accounts = change.accounts;
      if (change.rotate) state.keys = [signingKey(), ...state.keys];
      if (change.impostor !== undefined) state.impostor = change.impostor;
      if (change.id_token_seconds) state.idTokenSeconds = change.id_token_seconds;
      provider = build(provider.issuer);
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      jwks_served: state.jwksServed, kids: state.keys.map((k) => k.kid),
    }));
    return;
  }
  if (path === '/jwks') {
    state.jwksServed += 1;
    if (state.impostor) {
      // Keys that look right (same ids) but are not the ones that sign.
      const keys = state.keys.map((k) => publicPart({ ...signingKey(), kid: k.kid }));
      res.setHeader('content-type', 'application/jwk-set+json');
      res.end(JSON.stringify({ keys }));
      return;
    }
  }
  provider.callback()(req, res);
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  const { port } = server.address();
  provider = build(`http://127.0.0.1:${port}`);
  process.stdout.write(`ready ${port}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
