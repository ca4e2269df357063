"""A 40 MB chunked body sent to a running server (`evlaunch serve` in its own process, on
loopback) is refused 413 as it arrives, the server's memory stays under 300 MB, and the
server goes on answering. The figures go to test-artifacts/chunked.txt.

Memory is the process's own (RssAnon: its heap, where a held body would be), not VmRSS,
which also counts the resident pages of mapped libraries: libllvmlite.so alone, a 179 MB
file, counts 41 to 90 MB of them depending on the page cache (measured on this machine with
two copies of the same venv), so VmRSS would judge the machine's cache, not the server."""

import select
import socket
import time
from pathlib import Path

import httpx
import pytest

from .conftest import serve

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
BODY_BYTES = 40_000_000
CHUNK_BYTES = 65_536
MAX_RSS_MB = 300


def _rss_mb(pid: int, field: str = "RssAnon") -> float:
    """Resident memory of process ``pid`` [MB], from /proc: its own (anonymous) pages."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} for process {pid}")


@pytest.fixture
def server():
    """`evlaunch serve` on a free loopback port, as a user starts it; yields (port, process)."""
    with serve() as (url, process):
        yield int(url.rsplit(":", 1)[1]), process


def _send_chunked(port: int, pid: int) -> dict:
    """Send up to ``BODY_BYTES`` in chunks, stopping once the server answers or closes;
    returns the answer, the bytes sent, the seconds to the answer and the peak RSS."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        "POST /api/whatif HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = f"{CHUNK_BYTES:x}\r\n".encode() + b"x" * CHUNK_BYTES + b"\r\n"
    started, sent, peak = time.perf_counter(), 0, _rss_mb(pid)
    sock.sendall(head.encode() + b'7\r\n{"a": "\r\n')
    try:
        while sent < BODY_BYTES and not select.select([sock], [], [], 0)[0]:
            sock.sendall(chunk)
            sent += CHUNK_BYTES
            if sent % (16 * CHUNK_BYTES) == 0:
                peak = max(peak, _rss_mb(pid))
        if sent >= BODY_BYTES:  # all of it went in unanswered: end it, so the server answers
            sock.sendall(b'2\r\n"}\r\n0\r\n\r\n')
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed: the answer is in our receive buffer
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            part = sock.recv(65_536)
            if not part:
                break
            answer += part
    except TimeoutError:
        pass  # no answer in 30 s: the assertions below say so
    seconds = time.perf_counter() - started
    sock.close()
    peak = max(peak, _rss_mb(pid))
    return {"answer": answer.decode("latin-1"), "sent": sent, "seconds": seconds, "peak": peak}


def test_a_40_mb_chunked_body_is_refused_as_it_arrives_in_bounded_memory(server):
    port, process = server
    base = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{base}/api/reference", timeout=30).status_code == 200  # warmed up
    before = _rss_mb(process.pid)
    got = _send_chunked(port, process.pid)
    summary = (
        f"40 MB chunked body: {got['answer'].split(chr(13))[0]} after {got['sent']:,} bytes "
        f"sent, in {1e3 * got['seconds']:.0f} ms; server memory (RssAnon) {before:.0f} MB "
        f"before, {got['peak']:.0f} MB at most (VmRSS with libraries: "
        f"{_rss_mb(process.pid, 'VmRSS'):.0f} MB after)"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "chunked.txt").write_text(summary + "\n")
    print(summary)
    assert got["answer"].startswith("HTTP/1.1 413"), summary
    assert "at most 1,000,000 are accepted" in got["answer"], got["answer"]
    assert got["peak"] < MAX_RSS_MB, summary
    assert got["peak"] - before < 50, summary  # the body is not held
    assert got["sent"] < BODY_BYTES / 2, summary  # the server stopped reading, not discarding
    assert httpx.post(f"{base}/api/whatif", json={"paths": 1_000}, timeout=60).status_code == 200
