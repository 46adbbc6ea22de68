"""An automated sign-up test, as a bank's QA would run it against a release
(README, "Automated sign-up tests"): sign up, read the verification mail
from the dev mailbox's JSON, follow its link, sign in. Python 3 with
`requests`. Usage: python3 tests/signup_test.py http://127.0.0.1:8080"""
import re, sys, uuid

import requests

base = sys.argv[1].rstrip("/")
email = f"qa-{uuid.uuid4().hex[:8]}@example.se"
password = "correct horse battery staple"
s = requests.Session()


def csrf(path):
    return re.search(r'name="csrf-token" content="([^"]+)"', s.get(base + path).text).group(1)


r = s.post(base + "/signup", allow_redirects=False, data={
    "csrf_token": csrf("/signup"), "first_name": "Quinn", "last_name": "Assurance", "email": email,
    "organization": "QA AB", "country": "SE", "password": password, "password_confirmation": password,
    "accept_privacy": "yes", "accept_terms": "yes"})
assert r.status_code == 303, r.text
mail = next(m for m in s.get(base + "/dev/mailbox.json").json()["mails"] if m["to"] == email)
link = next(l for l in mail["links"] if "/verify-email?token=" in l)
assert "is verified" in s.get(link).text
r = s.post(base + "/signin", allow_redirects=False,
           data={"csrf_token": csrf("/signin"), "email": email, "password": password})
assert r.status_code == 303, r.text
assert email in s.get(base + "/profile").text
print(f"signed up, verified and signed in as {email}")
