"""The little HTTP client the benchmark loaders share."""
import json
import time
import urllib.request


def call(base, token, method, path, body=None):
    """Sends a JSON request with a bearer token; returns the decoded answer."""
    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def wait_ready(base, seconds=30):
    """Waits until the server answers /readyz."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(base + "/readyz")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
