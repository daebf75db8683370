#!/usr/bin/env python3
"""A real SMTP server for Berth's tests, on 127.0.0.1, built on aiosmtpd.

    test-mail-server.py --port N --maildir DIR [--username U --password P [--auth-mechanisms PLAIN,LOGIN]]
                        [--tls-cert CERT --tls-key KEY [--implicit-tls]]

--port 0 picks a free port. With --username and --password, AUTH (PLAIN and LOGIN, or those named by
--auth-mechanisms) is required before MAIL, also without TLS: the client under test only sends credentials in
plain text to loopback. --tls-cert and --tls-key offer STARTTLS with that certificate; with --implicit-tls the
server speaks TLS from the first byte instead (no STARTTLS).

It prints one line, `READY <port>`, once it listens, then serves until it is killed or its standard input ends
(so it ends with the test process that started it, even one that crashed).

Each message accepted is written to DIR as two files, numbered in order of arrival:
  NNNN.eml   the message's bytes exactly as received in DATA (dot-stuffing undone, CRLF line ends kept);
  NNNN.json  the envelope and what Python's own `email` parser reads in the message, written last, so a
             reader that sees it finds the .eml complete:
             {"mail_from", "rcpt_tos", "tls": whether the session was encrypted, "auth_login": the user
              signed in or null, "subject", "from", "to", "message_id": decoded header values,
              "text": the decoded body with LF line ends, "defects": what the parser found wrong, [] if nothing}

Recipients starting with `reject` are refused with 550 and those starting with `stall` get no answer at all,
so tests can see a rejection and a timeout.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject"):
            return f"550 5.1.1 <{address}>: the test server refuses this recipient"
        if address.lower().startswith("stall"):
            await asyncio.sleep(3600)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.maildir, f"{self.count:04d}")
        raw = envelope.original_content
        login = getattr(session.auth_data, "login", None)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            # session.ssl is only set by STARTTLS; with implicit TLS the transport itself is TLS.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth_login": login.decode("utf-8", "replace") if isinstance(login, bytes) else login,
            **parsed(raw),
        }
        write_atomically(base + ".eml", raw)
        write_atomically(base + ".json", json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))
        return "250 2.0.0 Message accepted"


def parsed(raw):
    """What a mail program would show: header values decoded from RFC 2047, the body from its transfer encoding."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [repr(defect) for defect in message.defects]
    for name, value in message.items():
        defects += [f"{name}: {defect!r}" for defect in getattr(value, "defects", ())]
    try:
        text = message.get_content().replace("\r\n", "\n")
    except Exception as error:  # a broken body is what the test should see, not a crash of the server
        text = None
        defects.append(f"body: {error!r}")
    header = lambda name: None if message[name] is None else str(message[name])
    return {
        "subject": header("Subject"),
        "from": header("From"),
        "to": header("To"),
        "message_id": header("Message-ID"),
        "text": text,
        "defects": defects,
    }


def write_atomically(path, data):
    temporary = path + ".part"
    with open(temporary, "wb") as file:
        file.write(data)
    os.rename(temporary, path)


def free_port():
    # Controller needs a number up front. The kernel's pick is free now and comes from the ephemeral range, where
    # the tests' own servers never listen (Tests/BerthTestSupport/TestPorts.swift hands out ports below it).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true")
    args = parser.parse_args()
    if (args.username is None) != (args.password is None):
        parser.error("--username and --password go together")
    if (args.tls_cert is None) != (args.tls_key is None) or (args.implicit_tls and args.tls_cert is None):
        parser.error("--tls-cert and --tls-key go together, and --implicit-tls needs them")

    os.makedirs(args.maildir, exist_ok=True)
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)

    options = {}
    if args.username is not None:
        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == args.username.encode() \
                and auth_data.password == args.password.encode()
            # handled=False: aiosmtpd then answers a failure with 535 itself.
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        offered = {mechanism.strip().upper() for mechanism in args.auth_mechanisms.split(",")}
        options.update(authenticator=authenticate, auth_required=True, auth_require_tls=False,
                       auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in offered])
    if tls is not None and not args.implicit_tls:
        options.update(tls_context=tls, require_starttls=False)

    port = args.port or free_port()
    controller = Controller(Handler(args.maildir), hostname="127.0.0.1", port=port,
                            server_hostname="test-mail.invalid", enable_SMTPUTF8=True,
                            ssl_context=tls if args.implicit_tls else None, **options)
    controller.start()
    print(f"READY {port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
