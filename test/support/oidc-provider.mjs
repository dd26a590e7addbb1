// A real OpenID Connect provider (oidc-provider) for the SSO tests, in its own process: it listens on 127.0.0.1 (a free port), prints {"issuer"}, reads one JSON line of {clients, accounts} from stdin, then prints {"ready":true}.
//
// Sign-in is oidc-provider's development login form (any password; the login names an account
// of `accounts`), and consent is skipped for every client, as a school's own IdP does for an app
// its admin registered. Claims go in the ID token (as Google and Entra send them), not only in
// /userinfo, which oidc-provider's conformIdTokenClaims would otherwise insist on.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import Provider from 'oidc-provider';

const write = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

let handle = (request, response) => {
  response.writeHead(503).end('not configured yet');
};
const server = createServer((request, response) => handle(request, response));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
write({ issuer });

const lines = createInterface({ input: process.stdin });
const { clients, accounts } = JSON.parse(await new Promise((resolve) => lines.once('line', resolve)));

const provider = new Provider(issuer, {
  clients,
  async findAccount(ctx, id) {
    const claims = accounts[id];
    return claims === undefined ? undefined : { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'hd'], profile: ['name'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId !== undefined) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
// Its own warnings (development keys, development interactions) are expected here.
provider.on('server_error', (ctx, error) => process.stderr.write(`oidc-provider: ${error.stack}\n`));
handle = provider.callback();
write({ ready: true });
// Ends when the test closes stdin (or kills it).
lines.on('close', () => process.exit(0));
