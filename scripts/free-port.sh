#!/usr/bin/env bash
# Print a free TCP port on 127.0.0.1 below the kernel's ephemeral range.
exec "$(dirname "$0")/../.venv/bin/python" - <<'PY'
import random
import socket

for _ in range(200):
    port = random.randint(20000, 32000)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    raise SystemExit("no free port found")
PY
