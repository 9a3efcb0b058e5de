"""Drive a server with ``wrk`` (Debian package) from requests prepared and signed in advance.

Python clients top out near 500 requests/s on this 2-core machine, below what the centre can
take; wrk costs the shared cores far less. wrk's Lua has no HMAC, so each request is signed
here (unique nonce, timestamp inside the skew window), written raw to a file, and handed out
in turn by a small Lua script. ``ceiling()`` measures the same client against a trivial
refusal, so a figure can be printed beside the client's own limit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SEPARATOR = b"\n--next-request--\n"
LUA = r"""
local requests = {}
local turn = 0
init = function(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  local sep = "\n--next-request--\n"
  local at = 1
  while true do
    local found = string.find(data, sep, at, true)
    if not found then break end
    requests[#requests + 1] = string.sub(data, at, found - 1)
    at = found + #sep
  end
end
request = function()
  turn = turn + 1
  if turn > #requests then turn = 1 end
  return requests[turn]
end
"""


def raw_request(host: str, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class WrkResult:
    requests: int
    seconds: float
    non_2xx: int
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run(
    url_base: str, prepared: Iterable[bytes], seconds: float, connections: int = 16
) -> WrkResult:
    """Send the prepared requests (cycled) for ``seconds`` over ``connections`` connections."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="wrkload-") as folder:
        script, data = Path(folder) / "send.lua", Path(folder) / "requests.bin"
        script.write_text(LUA)
        with data.open("wb") as out:
            for request in prepared:
                out.write(request + SEPARATOR)
        output = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script),
             url_base, "--", str(data)],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(s|m)", output)
    assert total, output
    elapsed = float(total.group(2)) * (60 if total.group(3) == "m" else 1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    return WrkResult(
        requests=int(total.group(1)),
        seconds=elapsed,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        errors=sum(int(n) for n in errors.groups()) if errors else 0,
        p50_ms=_ms(p50.group(1)) if p50 else 0.0,
        p99_ms=_ms(p99.group(1)) if p99 else 0.0,
    )
