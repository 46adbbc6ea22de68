// The Node peer for the token endpoint: oidc-provider (node-oidc-provider,
// OpenID Certified), in memory (its default adapter), one confidential
// client with the client credentials grant and Basic authentication, the
// same scope a Devportal client asks for. Run by benches/peers.sh.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 18081);
const scope = process.env.SCOPE || 'psd2_sandbox:195505063676';
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'bench',
    client_secret: 'bench-secret-bench-secret-bench-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope,
  }],
  scopes: [scope],
  features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  // Opaque tokens kept in the in-memory adapter, as Devportal keeps a row.
  ttl: { ClientCredentials: 3600 },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider on ${port}`));
