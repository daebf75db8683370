"""Console round trips: a command in, its echo out, timed; through a WebSocket, and straight through Docker.

The WebSocket side is a minimal RFC 6455 client (text frames, masking, fragments, ping) over a socket, and
takes the socket's whole URL, so the same code measures the daemon's console or the panel's relay.
The Docker side hijacks `POST /containers/{id}/attach` on the engine's unix socket, as the daemon does.
"""

import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import struct
import time
import urllib.parse


def console_token(node_token, instance_id, subject="bench", lifetime=600):
    """An HS256 console token as the panel mints them: key SHA-256("berth console tokens v1:" + node token)."""
    def encode(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    key = hashlib.sha256(f"berth console tokens v1:{node_token}".encode()).digest()
    header = encode(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"scope": "console", "instance": instance_id, "sub": subject, "exp": int(time.time()) + lifetime}
    payload = encode(json.dumps(claims, separators=(",", ":")).encode())
    signature = encode(hmac.new(key, header + b"." + payload, hashlib.sha256).digest())
    return (header + b"." + payload + b"." + signature).decode()


class WebSocket:
    def __init__(self, url, headers=None, timeout=30, tls=None):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError("only ws:// and wss:// URLs (loopback benchmarks)")
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if parts.scheme == "wss":
            self.sock = (tls or ssl.create_default_context()).wrap_socket(self.sock)
        key = base64.b64encode(os.urandom(16)).decode()
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the server closed the socket during the handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            raise ConnectionError(f"no WebSocket upgrade: {head.decode(errors='replace')}")

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the WebSocket closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send_text(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _send_control(self, opcode, payload=b""):
        mask = os.urandom(4)
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive_text(self):
        """The next whole text message; answers pings on the way."""
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            mask = self._read(4) if second & 0x80 else None
            payload = self._read(length)
            if mask:
                payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
            opcode = first & 0x0F
            if opcode == 0x9:
                self._send_control(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError(f"the WebSocket was closed: {payload[2:].decode(errors='replace')}")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if first & 0x80:
                    return message.decode()

    def close(self):
        try:
            self._send_control(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()


def websocket_round_trips(url, count, headers=None, timeout=30, tls=None):
    """Sends `count` console commands through the console WebSocket at `url`; each is timed until its echo
    shows. `headers` go with the handshake (e.g. the panel's session cookie and Origin); `tls` is the
    context for a wss:// URL."""
    socket_ = WebSocket(url, headers=headers, timeout=timeout, tls=tls)
    times = []
    try:
        for index in range(count + 5):
            marker = f"bench-{os.getpid()}-{index}"
            start = time.perf_counter()
            socket_.send_text(json.dumps({"event": "command", "data": marker}))
            while True:
                message = json.loads(socket_.receive_text())
                if message.get("event") == "error":
                    raise RuntimeError(f"the console refused the command: {message.get('data')}")
                if message.get("event") == "output" and f"echo: {marker}" in (message.get("data") or ""):
                    break
            if index >= 5:  # the first few warm the path up
                times.append((time.perf_counter() - start) * 1000)
    finally:
        socket_.close()
    return times


def docker_attach_round_trips(socket_path, container_id, count, timeout=30):
    """The same round trips through a direct attach to the container: stdin in, multiplexed stdout out."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(socket_path)
    request = (f"POST /containers/{container_id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
               "Host: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n")
    sock.sendall(request.encode())
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(4096)
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    if b" 101 " not in head.split(b"\r\n", 1)[0] + b" " and b" 200 " not in head.split(b"\r\n", 1)[0] + b" ":
        raise ConnectionError(f"Docker refused the attach: {head.decode(errors='replace')}")
    times = []
    output = b""
    try:
        for index in range(count + 5):
            marker = f"bench-direct-{os.getpid()}-{index}".encode()
            start = time.perf_counter()
            sock.sendall(marker + b"\n")
            while b"echo: " + marker not in output:
                # Frames: 1 byte stream, 3 zero bytes, 4 bytes big-endian length, then the payload.
                while len(buffer) < 8:
                    buffer += sock.recv(65536)
                length = struct.unpack("!I", buffer[4:8])[0]
                while len(buffer) < 8 + length:
                    buffer += sock.recv(65536)
                output += buffer[8:8 + length]
                buffer = buffer[8 + length:]
            output = output[output.index(b"echo: " + marker) + len(marker) + 6:]
            if index >= 5:
                times.append((time.perf_counter() - start) * 1000)
    finally:
        sock.close()
    return times
