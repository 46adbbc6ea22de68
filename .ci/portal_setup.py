"""Sets up a running portal as a TPP would, over HTTP only, and prints the
credentials schemathesis needs as shell assignments: a developer with a
verified address (link from the dev mailbox), a personal access token, an
application subscribed to both sandbox APIs, sandbox keys and an access
token for a test customer (and the keys it was got with). Usage: python3 .ci/portal_setup.py BASE_URL"""
import base64, http.cookiejar, json, re, sys, urllib.error, urllib.parse, urllib.request

BASE = sys.argv[1].rstrip("/")
PASSWORD = "correct horse battery staple"
EMAIL = "schemathesis@example.se"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


browser = urllib.request.build_opener(
    urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
)


def call(method, path, body=None, headers=None, form=False, opener=None):
    data = None
    headers = dict(headers or {})
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    try:
        res = (opener or urllib.request.build_opener(NoRedirect)).open(req)
    except urllib.error.HTTPError as e:
        res = e
    return res.status, res.read().decode()


def csrf(path):
    _, html = call("GET", path, opener=browser)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


status, _ = call("POST", "/signup", {
    "csrf_token": csrf("/signup"), "first_name": "Schema", "last_name": "Thesis", "email": EMAIL,
    "organization": "Contract Tests AB", "country": "SE", "phone": "", "password": PASSWORD,
    "password_confirmation": PASSWORD, "accept_privacy": "yes", "accept_terms": "yes",
}, form=True, opener=browser)
assert status == 303, f"sign-up answered {status}"
_, mailbox = call("GET", "/dev/mailbox", opener=browser)
mail_id = re.search(r'href="/dev/mailbox/(\d+)"', mailbox).group(1)
_, mail = call("GET", f"/dev/mailbox/{mail_id}", opener=browser)
link = re.search(r'(/verify-email\?token=[A-Za-z0-9_\-]+)', mail).group(1)
call("GET", link, opener=browser)

basic = "Basic " + base64.b64encode(f"{EMAIL}:{PASSWORD}".encode()).decode()
status, body = call("POST", "/api/v1/personal-access-tokens", {"name": "schemathesis"}, {"Authorization": basic})
assert status == 201, body
pat = json.loads(body)["token"]
auth = {"Authorization": f"Bearer {pat}"}
status, body = call("POST", "/api/v1/applications", {"name": "schemathesis"}, auth)
assert status == 201, body
app_id = json.loads(body)["id"]
for api in ("accounts-sandbox", "payments-sandbox"):
    status, body = call("POST", f"/api/v1/applications/{app_id}/subscriptions", {"api_id": api}, auth)
    assert status == 201, body
status, body = call("POST", f"/api/v1/applications/{app_id}/sandbox-keys", {}, auth)
assert status == 201, body
keys = json.loads(body)
status, body = call("POST", "/oauth2/token", {
    "grant_type": "client_credentials", "client_id": keys["client_id"],
    "client_secret": keys["client_secret"], "scope": "psd2_sandbox:195505063676",
}, form=True)
assert status == 200, body
print(f"PAT={pat}")
print(f"ACCESS_TOKEN={json.loads(body)['access_token']}")
print(f"APPLICATION_ID={app_id}")
print(f"CLIENT_ID={keys['client_id']}")
print(f"CLIENT_SECRET={keys['client_secret']}")
