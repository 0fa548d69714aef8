"""A receiver that accepts connections and never answers: it reads and discards what
arrives and keeps every connection open until it is stopped (or `--max-seconds` pass).

Usage: python3 blackhole.py --port-file PATH [--host 127.0.0.1] [--max-seconds 600]
Listens on an ephemeral port and writes it to PATH once listening.
"""

import argparse
import os
import selectors
import socket
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    args = parser.parse_args()

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.host, 0))
    server.listen(128)
    server.setblocking(False)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.getsockname()[1]))
    os.replace(tmp, args.port_file)

    selector = selectors.DefaultSelector()
    selector.register(server, selectors.EVENT_READ)
    accepted = 0
    received = 0
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1.0):
            sock = key.fileobj
            if sock is server:
                conn, _ = server.accept()
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ)
                accepted += 1
                print(f"blackhole: accepted connection {accepted}", flush=True)
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if data:
                received += len(data)
                continue
            # The peer gave up: forget the connection, never having answered it.
            selector.unregister(sock)
            sock.close()
            print(f"blackhole: a peer closed (received {received} bytes so far)", flush=True)
    print(f"blackhole: stopping after {args.max_seconds} s", flush=True)


if __name__ == "__main__":
    main()
