// Postman, as a TPP developer meets it, against a running portal:
// 1. each sandbox document imported with openapi-to-postmanv2 (no edits, the
//    interface and option the Postman app and the CLI use) and
//    run with newman, given only an access token: every account read answers
//    2xx, every other request a status its document declares, and the
//    creations (payments, consents) 201;
// 2. the portal's own collection and environment, downloaded from the API's
//    page, run with newman given only the sandbox keys: every request 2xx.
// Usage: node postman.mjs BASE_URL ACCESS_TOKEN CLIENT_ID CLIENT_SECRET
import Converter from 'openapi-to-postmanv2';
import newman from 'newman';

const [base, token, clientId, clientSecret] = process.argv.slice(2);
let failures = 0;
const fail = (message) => { failures += 1; console.error(`FAIL ${message}`); };

const json = async (path) => {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res.json();
};

const convert = (doc) => new Promise((resolve, reject) => {
  Converter.convertV2({ type: 'json', data: doc }, { parametersResolution: 'Example' }, (err, result) => {
    if (err) return reject(err);
    if (!result.result) return reject(new Error(result.reason));
    resolve(result.output[0].data);
  });
});

const run = (options) => new Promise((resolve, reject) => {
  newman.run({ reporters: [], ...options }, (err, summary) => (err ? reject(err) : resolve(summary)));
});

// The operation's path as its document writes it (`:name` → `{name}`).
const template = (item) =>
  '/' + (item.request.url.path || []).map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/');

for (const api of ['accounts-sandbox', 'payments-sandbox']) {
  const doc = await json(`/apis/${api}/openapi.json`);
  const summary = await run({
    collection: await convert(doc),
    envVar: [{ key: 'bearerToken', value: token }],
  });
  if (summary.run.executions.length === 0) fail(`${api}: the imported collection has no requests`);
  for (const ex of summary.run.executions) {
    const method = ex.request.method.toLowerCase();
    const path = template(ex.item);
    const status = ex.response?.code;
    const op = doc.paths[path]?.[method];
    const what = `${api} (imported): ${method.toUpperCase()} ${path} answered ${status}`;
    if (!op) fail(`${what}, an operation the document does not have`);
    else if (!op.responses[String(status)]) fail(`${what}, which its document does not declare`);
    else if (path.startsWith('/Accounts') && !(status >= 200 && status < 300)) fail(`${what}, not 2xx`);
    else if (method === 'post' && !path.includes('SigningBasket') && status !== 201) fail(`${what}, not 201`);
    else console.log(`ok   ${what}`);
  }

  const own = await run({
    collection: await json(`/apis/${api}/postman-collection.json`),
    environment: await json(`/apis/${api}/postman-environment.json`),
    envVar: [{ key: 'clientId', value: clientId }, { key: 'clientSecret', value: clientSecret }],
  });
  for (const ex of own.run.executions) {
    const what = `${api} (portal's collection): ${ex.item.name}: ${ex.request.method} ${template(ex.item)} answered ${ex.response?.code}`;
    const failed = (ex.assertions || []).filter((a) => a.error);
    if (failed.length > 0) fail(`${what}: ${failed.map((a) => a.error.message).join('; ')}`);
    else console.log(`ok   ${what}`);
  }
  if (own.run.failures.length > 0 && own.run.executions.length === 0) fail(`${api}: the portal's collection did not run`);
}

if (failures > 0) {
  console.error(`${failures} Postman check(s) failed`);
  process.exit(1);
}
console.log('Postman: the imported documents and the portal\'s collections run as they are.');
