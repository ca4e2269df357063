from fastapi.testclient import TestClient

from evlaunch.web.app import app

client = TestClient(app)


def test_whatif_answers_with_p_target_and_a_fan():
    r = client.post("/api/whatif", json={"paths": 2000})
    assert r.status_code == 200
    d = r.json()
    assert 0 <= d["p_target"] <= 1 and len(d["months"]) == len(d["p50"]) == 84
    assert all(a <= b <= c for a, b, c in zip(d["p10"], d["p50"], d["p90"], strict=True))


def test_moving_a_slider_moves_the_answer():
    base = client.post("/api/whatif", json={"paths": 4000, "target_deliveries": 500_000}).json()
    more = client.post(
        "/api/whatif",
        json={
            "paths": 4000,
            "target_deliveries": 500_000,
            "capacity_scale": 2.5,
            "bass_p_per_year": 0.15,
        },
    ).json()
    assert more["p_target"] > base["p_target"]
    assert more["median_window_deliveries"] > base["median_window_deliveries"]


# bad requests: tests/bad_inputs/test_api.py


def test_read_endpoints_and_the_openapi_spec():
    spec = client.get("/openapi.json").json()
    assert {
        "/api/whatif",
        "/api/run",
        "/api/risk",
        "/api/partners",
        "/api/plan",
        "/api/reference",
    } <= set(spec["paths"])
    assert "Tesla" in {e["company"] for e in client.get("/api/reference").json()}
    risk = client.get("/api/risk", params={"paths": 1000}).json()
    assert risk["paths"] == 1000
    assert client.get("/api/risk", params={"paths": 5}).status_code == 422
    assert client.get("/api/risk", params={"sampler": "halton"}).status_code == 422
    assert client.get("/api/plan").json()["status"] == "optimal"
    page = client.get("/")
    assert page.status_code == 200 and "/static/plotly.min.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text
