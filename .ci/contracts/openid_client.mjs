// Sandbox tokens with Node's openid-client 6, configured by discovery of the
// portal's RFC 8414 metadata: client credentials with the keys in a Basic
// header and in the body, and a wrong secret reported as invalid_client.
// Usage: node openid_client.mjs BASE_URL CLIENT_ID CLIENT_SECRET
import * as oidc from 'openid-client';

const [base, clientId, clientSecret] = process.argv.slice(2);
const scope = 'psd2_sandbox:195505063676';
// The portal under test is plain http on localhost.
const options = { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' };

for (const [how, auth] of [['Basic', oidc.ClientSecretBasic], ['body', oidc.ClientSecretPost]]) {
  const config = await oidc.discovery(new URL(base), clientId, undefined, auth(clientSecret), options);
  const tokens = await oidc.clientCredentialsGrant(config, { scope });
  if (!tokens.access_token || tokens.scope !== scope) throw new Error(`${how}: ${JSON.stringify(tokens)}`);

  const wrong = await oidc.discovery(new URL(base), clientId, undefined, auth('not-the-secret'), options);
  try {
    await oidc.clientCredentialsGrant(wrong, { scope });
    throw new Error(`${how}: a wrong secret got a token`);
  } catch (e) {
    // In the body: an OAuth error response. In Basic: RFC 6749 §5.2 asks for
    // a 401 with a WWW-Authenticate challenge, which the library reports
    // as the challenge's parameters.
    const error = e.error ?? e.cause?.[0]?.parameters?.error;
    if (error !== 'invalid_client') throw new Error(`${how}: a wrong secret gave ${error ?? e}`);
  }
  console.log(`ok   openid-client, keys in ${how}: token issued; wrong secret is invalid_client`);
}
