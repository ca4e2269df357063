"""A server bound beyond loopback needs its token: the test binds 0.0.0.0 and sends every
request to 127.0.0.1 (never to another address of this machine)."""

import httpx

from evlaunch.web.access import is_loopback

from .conftest import serve

TOKEN = "a-token-for-the-tests-0123456789"


def test_beyond_loopback_no_request_without_the_token_succeeds():
    with serve("--host", "0.0.0.0", env={"EVLAUNCH_TOKEN": TOKEN}) as (base, process):
        anyone = httpx.Client(base_url=base, timeout=60)
        for method, path in (
            ("GET", "/"),
            ("GET", "/api/scenarios"),
            ("GET", "/openapi.json"),
            ("GET", "/docs"),
            ("GET", "/api/runs"),
            ("POST", "/api/whatif"),
            ("POST", "/api/scenarios/validate"),
        ):
            answer = anyone.request(method, path, json={"paths": 1_000})
            assert answer.status_code == 401, (method, path)
            assert "needs its token" in answer.json()["message"]
        wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "x"}
        assert anyone.get("/api/scenarios", headers=wrong).status_code == 401
        assert anyone.get("/api/scenarios", params={"token": "nope"}).status_code == 401
        right = {"Authorization": f"Bearer {TOKEN}"}
        assert anyone.get("/api/scenarios", headers=right).status_code == 200
        answer = anyone.post("/api/whatif", json={"paths": 1_000}, headers=right)
        assert answer.status_code == 200
        # a browser: ?token= on the first page, then the cookie that answer set
        browser = httpx.Client(base_url=base, timeout=60)
        first = browser.get("/", params={"token": TOKEN})
        assert first.status_code == 200
        assert "HttpOnly" in first.headers["set-cookie"]
        assert "SameSite=Strict" in first.headers["set-cookie"]
        assert browser.get("/api/scenarios").status_code == 200
    assert f"?token={TOKEN}" in process.stdout.read()  # the URL to open, printed at start


def test_a_generated_token_is_printed_and_no_token_must_be_said():
    with serve("--host", "0.0.0.0") as (base, process):
        assert httpx.get(base + "/api/scenarios", timeout=30).status_code == 401
    printed = process.stdout.read()
    token = printed.split("?token=")[1].split()[0]
    assert len(token) >= 40
    with serve("--host", "0.0.0.0", "--no-token") as (base, process):
        assert httpx.get(base + "/api/scenarios", timeout=30).status_code == 200
    assert "without a token" in process.stderr.read()
    with serve() as (base, process):  # loopback: no token needed, none printed
        assert httpx.get(base + "/api/scenarios", timeout=30).status_code == 200
    assert "token" not in process.stdout.read()


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")
    assert not is_loopback("example.org")
