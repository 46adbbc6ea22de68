"""Sandbox tokens with Python's requests-oauthlib (client credentials, as its
documentation shows it) against a running portal: the scope asked for comes
back unchanged, for the 10-digit and the 12-digit personnummer, with the keys
in a Basic header or in the body; the token works on the Accounts API; a
wrong secret raises the library's InvalidClientError.
Usage: python oauth_libraries.py BASE_URL CLIENT_ID CLIENT_SECRET"""
import os
import sys
import uuid

# The portal under test is plain http on localhost; oauthlib refuses that unless told.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

from oauthlib.oauth2 import BackendApplicationClient, InvalidClientError  # noqa: E402
from requests_oauthlib import OAuth2Session  # noqa: E402

BASE, CLIENT_ID, CLIENT_SECRET = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
TOKEN_URL = f"{BASE}/oauth2/token"

for scope in ("psd2_sandbox:5505063676", "psd2_sandbox:195505063676"):
    for in_body in (False, True):
        session = OAuth2Session(client=BackendApplicationClient(client_id=CLIENT_ID))
        token = session.fetch_token(TOKEN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                    scope=[scope], include_client_id=in_body)
        assert token["scope"] == [scope], token
        accounts = session.get(f"{BASE}/sandbox/accounts/1.0.0/Accounts",
                               headers={"X-Request-ID": str(uuid.uuid4()), "PSU-IP-Address": "192.0.2.10"})
        assert accounts.status_code == 200, accounts.text
        assert accounts.json()["accounts"][0]["resourceId"] == "12345678910", accounts.text

for in_body in (False, True):
    session = OAuth2Session(client=BackendApplicationClient(client_id=CLIENT_ID))
    try:
        session.fetch_token(TOKEN_URL, client_id=CLIENT_ID, client_secret="not-the-secret",
                            scope=["psd2_sandbox:195505063676"], include_client_id=in_body)
    except InvalidClientError:
        pass
    else:
        raise AssertionError("a wrong secret got a token")

print("requests-oauthlib: tokens for both personnummer forms, and invalid_client for a wrong secret.")
