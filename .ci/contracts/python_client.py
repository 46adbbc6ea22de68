"""A client generated from /api/v1/openapi.json with openapi-python-client,
used with no edits against a running portal: create an application,
subscribe it, generate keys (and get a token with them), register a QWAC
as a file upload, delete the application and check that it is gone; a bad
token comes back as the documented 401, not as an "unexpected status".
Usage: python python_client.py BASE_URL PERSONAL_ACCESS_TOKEN GENERATED_DIR"""
import datetime
import pathlib
import sys
import uuid

import httpx

BASE, PAT, GENERATED = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
sys.path.insert(0, GENERATED)

from devportal_client import AuthenticatedClient  # noqa: E402
from devportal_client.api.applications import (  # noqa: E402
    create_application, delete_application, generate_sandbox_keys, get_application,
    list_applications, register_certificate, subscribe,
)
from devportal_client.models import (  # noqa: E402
    ApplicationDto, ApplicationInput, CertificateDto, ErrorBody, IssuedKeysDto, SubscribeBody,
    SubscriptionDto,
)
from devportal_client.types import File  # noqa: E402

CERTS = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "certs"
client = AuthenticatedClient(base_url=BASE, token=PAT)

app = create_application.sync(client=client, body=ApplicationInput(name=f"generated-{uuid.uuid4().hex[:8]}"))
assert isinstance(app, ApplicationDto), app
assert isinstance(app.created_at, datetime.datetime), "times are typed (format: date-time)"

subscription = subscribe.sync(app.id, client=client, body=SubscribeBody(api_id="accounts-sandbox"))
assert isinstance(subscription, SubscriptionDto), subscription

keys = generate_sandbox_keys.sync(app.id, client=client)
assert isinstance(keys, IssuedKeysDto), keys
token = httpx.post(f"{BASE}/oauth2/token", auth=(keys.client_id, keys.client_secret),
                   data={"grant_type": "client_credentials", "scope": "psd2_sandbox:195505063676"})
assert token.status_code == 200, token.text

der = (CERTS / "qwac-ai.der").read_bytes()
certificate = register_certificate.sync(
    app.id, client=client, body=File(payload=der, file_name="qwac-ai.der", mime_type="application/octet-stream"))
assert isinstance(certificate, CertificateDto), certificate
assert certificate.organization_id == "PSDFI-FINFSA-900002", certificate.organization_id

deleted = delete_application.sync_detailed(app.id, client=client)
assert deleted.status_code == 204, deleted
gone = get_application.sync_detailed(app.id, client=client)
assert gone.status_code == 404 and isinstance(gone.parsed, ErrorBody), gone
token = httpx.post(f"{BASE}/oauth2/token", auth=(keys.client_id, keys.client_secret),
                   data={"grant_type": "client_credentials", "scope": "psd2_sandbox:195505063676"})
assert token.status_code == 401, f"the deleted application's keys still work: {token.status_code}"

stranger = AuthenticatedClient(base_url=BASE, token="dpat_not_a_token")
refused = list_applications.sync_detailed(client=stranger)
assert refused.status_code == 401 and isinstance(refused.parsed, ErrorBody), refused

print("Generated Python client: create → subscribe → keys → certificate → delete works as generated.")
