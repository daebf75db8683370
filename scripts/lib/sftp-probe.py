#!/usr/bin/env python3
"""Drives a Berth node's SFTP server with paramiko, a second real client beside OpenSSH's sftp, for the
Swift tests (Tests/BerthPanelTests/SFTPParamikoTests.swift). Each command prints one JSON object with what
happened; the tests assert on it. Only ever connects to the host and port it is given (loopback).

PASSWORD may be key:PATH, an ed25519 private key file to sign in with instead.

  sftp-probe.py HOST PORT LOGIN PASSWORD transfer   put and get a file, list, rename, stat, statvfs
  sftp-probe.py HOST PORT LOGIN PASSWORD sessions N N sessions at once, each putting and getting its own file
  sftp-probe.py HOST PORT LOGIN PASSWORD handles N  opens up to N handles without closing any
  sftp-probe.py HOST PORT LOGIN PASSWORD oversized  sends a packet that claims 64 MiB
  sftp-probe.py HOST PORT LOGIN PASSWORD fill N     writes N MiB to one file (past a disk limit)
"""
import hashlib
import json
import os
import struct
import sys
import threading
import time

import paramiko


def still_connected(transport):
    """Whether the connection is still up, given the server a few seconds to close it after a refusal."""
    deadline = time.monotonic() + 10
    while transport.is_active() and time.monotonic() < deadline:
        time.sleep(0.05)
    return transport.is_active()


def connect(host, port, login, password):
    transport = paramiko.Transport((host, port))
    if password.startswith("key:"):
        transport.connect(username=login, pkey=paramiko.Ed25519Key.from_private_key_file(password[4:]))
    else:
        transport.connect(username=login, password=password)
    return transport, paramiko.SFTPClient.from_transport(transport)


def transfer(host, port, login, password):
    transport, sftp = connect(host, port, login, password)
    data = os.urandom(4 << 20)
    with sftp.open("paramiko.bin", "wb") as remote:
        remote.set_pipelined(True)
        remote.write(data)
    with sftp.open("paramiko.bin", "rb") as remote:
        back = remote.read()
    sftp.rename("paramiko.bin", "moved.bin")
    stat = sftp.stat("moved.bin")
    # statvfs@openssh.com, which paramiko has no call for: its reply is 11 uint64s.
    message = sftp._request(paramiko.sftp.CMD_EXTENDED, "statvfs@openssh.com", ".")[1]
    blocks = [message.get_int64() for _ in range(11)]
    result = {
        "identical": hashlib.sha256(back).hexdigest() == hashlib.sha256(data).hexdigest(),
        "listed": sorted(sftp.listdir(".")),
        "size": stat.st_size,
        "statvfs": {"bsize": blocks[0], "frsize": blocks[1], "blocks": blocks[2], "bavail": blocks[4]},
        "cipher": transport.remote_cipher,
        "hostKey": transport.get_remote_server_key().get_name(),
    }
    transport.close()
    return result


def sessions(host, port, login, password, count):
    outcomes = [None] * count

    def one(index):
        try:
            transport, sftp = connect(host, port, login, password)
            data = os.urandom(1 << 20)
            name = "session-%d.bin" % index
            with sftp.open(name, "wb") as remote:
                remote.set_pipelined(True)
                remote.write(data)
            with sftp.open(name, "rb") as remote:
                back = remote.read()
            if back == data:
                outcomes[index] = True
            else:
                differs = next((at for at in range(min(len(back), len(data))) if back[at] != data[at]), min(len(back), len(data)))
                again = sftp.stat(name).st_size
                outcomes[index] = "read back %d bytes of %d, differing from byte %d; its size is now %d" % (len(back), len(data), differs, again)
            transport.close()
        except Exception as error:  # reported, not raised: the test names which session failed and why
            outcomes[index] = "%s: %s" % (type(error).__name__, error)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"outcomes": outcomes}


def handles(host, port, login, password, count):
    transport, sftp = connect(host, port, login, password)
    sftp.open("handle.txt", "w").close()
    opened = []
    error = None
    try:
        for _ in range(count):
            opened.append(sftp.open("handle.txt", "r"))
    except Exception as caught:
        error = "%s: %s" % (type(caught).__name__, caught)
    return {"opened": len(opened), "error": error, "active": still_connected(transport)}


def oversized(host, port, login, password):
    transport, sftp = connect(host, port, login, password)
    channel = sftp.sock
    # A packet that says it is 64 MiB long, then a little of it: the server must not wait to buffer it.
    channel.sendall(struct.pack(">IBI", 64 << 20, 17, 1) + b"x" * 1024)
    channel.settimeout(30)
    try:
        answer = channel.recv(1)
    except Exception as caught:
        answer = ("%s" % caught).encode()
    return {"closed": answer == b"", "active": still_connected(transport)}


def fill(host, port, login, password, mebibytes):
    transport, sftp = connect(host, port, login, password)
    written = 0
    error = None
    try:
        with sftp.open("fill.bin", "wb") as remote:
            chunk = b"\1" * (1 << 20)
            for _ in range(mebibytes):
                remote.write(chunk)
                written += len(chunk)
            remote.flush()
    except Exception as caught:
        error = "%s: %s" % (type(caught).__name__, caught)
    alive = False
    try:
        alive = "fill.bin" in sftp.listdir(".")
    except Exception:
        pass
    transport.close()
    return {"written": written, "error": error, "sessionUsable": alive}


def main():
    host, port, login, password, command = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    arguments = [int(value) for value in sys.argv[6:]]
    commands = {"transfer": transfer, "sessions": sessions, "handles": handles, "oversized": oversized, "fill": fill}
    print(json.dumps(commands[command](host, port, login, password, *arguments)))


if __name__ == "__main__":
    main()
