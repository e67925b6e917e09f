"""A DNS server on loopback that answers A records from a table the test changes.

It stands in for Docker's embedded DNS (127.0.0.11), where a Swarm service's name
moves to new addresses whenever its tasks are replaced.
"""

from __future__ import annotations

import socket
import struct
import threading

TTL_SECONDS = 1
A, IN = 1, 1
NXDOMAIN = 3


class FakeDns:
    def __init__(self, records: dict[str, str]):
        self.records = dict(records)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="fake-dns", daemon=True)

    def __enter__(self) -> FakeDns:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._socket.close()

    def _serve(self) -> None:
        while True:
            try:
                query, client = self._socket.recvfrom(512)
            except OSError:
                return  # closed
            self._socket.sendto(self._answer(query), client)

    def _answer(self, query: bytes) -> bytes:
        ident, _flags, _count = struct.unpack(">HHH", query[:6])
        name, end = _read_name(query, 12)
        qtype, _qclass = struct.unpack(">HH", query[end : end + 4])
        question = query[12 : end + 4]
        address = self.records.get(name)
        if address is None or qtype != A:
            rcode = NXDOMAIN if address is None else 0
            return struct.pack(">HHHHHH", ident, 0x8180 | rcode, 1, 0, 0, 0) + question
        record = struct.pack(">HHHIH", 0xC00C, A, IN, TTL_SECONDS, 4) + socket.inet_aton(address)
        return struct.pack(">HHHHHH", ident, 0x8180, 1, 1, 0, 0) + question + record


def _read_name(message: bytes, offset: int) -> tuple[str, int]:
    labels = []
    while length := message[offset]:
        labels.append(message[offset + 1 : offset + 1 + length].decode())
        offset += 1 + length
    return ".".join(labels).lower(), offset + 1
