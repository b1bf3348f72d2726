// A real OpenID Connect provider for tests/test_sso.py: node's `oidc-provider` (installed into
// .tools/ by `make oidc-provider`), with its own development sign-in and consent pages.
//
//   node tests/oidc/provider.mjs <port> <redirect_uri>
//
// Serves http://127.0.0.1:<port> as issuer and prints "ready" once it listens. Whoever signs in
// with a login name gets that name as e-mail address, verified, unless the name starts with
// "unverified.". Two confidential clients share the redirect URI: "attachment" (authorization
// codes live 60 s) and "attachment-short" (codes live 1 s, for the expired-code test).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', '.tools', 'package.json'));
const Provider = (await import(require.resolve('oidc-provider'))).default;

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  redirect_uris: [redirectUri],
  token_endpoint_auth_method: 'client_secret_post',
  response_types: ['code'],
  grant_types: ['authorization_code'],
});

const provider = new Provider(issuer, {
  clients: [client('attachment'), client('attachment-short')],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  scopes: ['openid', 'email'],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id.replace(/^unverified\./, ''), email_verified: !id.startsWith('unverified.') };
      },
    };
  },
  ttl: {
    AuthorizationCode: (ctx, token, client) => (client.clientId === 'attachment-short' ? 1 : 60),
    IdToken: 300,
    AccessToken: 300,
    Interaction: 300,
    Session: 300,
    Grant: 300,
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;

provider.listen(Number(port), '127.0.0.1', () => {
  console.log('ready');
});
