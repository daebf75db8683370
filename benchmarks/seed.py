"""Fills a panel's database with users and instances, straight into its tables (see CreateSchema.swift).

The rows look like what deploys make: each instance belongs to a user, a node and an image, holds one
port allocation, and is READY. They need not exist on Docker: read benchmarks never ask the node.
SQLite is written with Python's sqlite3; PostgreSQL through `psql`, which Debian's postgresql package brings.
"""

import json
import sqlite3
import subprocess
import time
import uuid

BENCH_USER_PREFIX = "bench-user-"


def user_id(index):
    return f"{BENCH_USER_PREFIX}{index:05d}"


def user_rows(first, count):
    # A fixed bcrypt hash of "bench password": nobody signs in as these users.
    password_hash = "$2b$12$0S7F2bE7tAcQhJq3QG0xUe8Rk8j9bQq7O2n0pW3bQm6ZrV1Y0G5Wa"
    for index in range(first, first + count):
        name = f"bench{index:05d}"
        yield (str(uuid.uuid4()), user_id(index), name, name, f"{name}@example.com", f"{name}@example.com", password_hash, False)


def instance_rows(first, count, users, node_id, image_id, first_port):
    """`count` instances, spread evenly over `users` users; memory and CPU tiny so a node's capacity never runs out."""
    for index in range(first, first + count):
        port = first_port + index
        yield {
            "id": str(uuid.uuid4()),
            "name": f"bench instance {index}",
            "node_id": node_id,
            "owner_user_id": user_id(index % users),
            "image_id": image_id,
            "docker_image": "berth/busybox:latest",
            "memory": 1,
            "cpu": 0.0001,
            "disk": 0,
            "ports": json.dumps([{"hostPort": port, "containerPort": 25565}], separators=(",", ":")),
            "primary_port": port,
            "variables": json.dumps({"GREETING": "hello"}, separators=(",", ":")),
            "install_state": "READY",
            "power_state": "offline",
            "suspended": False,
            "deleting": False,
            "event_sequence": 0,
            "port": port,
        }


INSTANCE_COLUMNS = [
    "id", "name", "node_id", "owner_user_id", "image_id", "docker_image", "memory", "cpu", "disk", "ports",
    "primary_port", "variables", "install_state", "power_state", "suspended", "deleting", "event_sequence",
]
USER_COLUMNS = ["id", "user_id", "username", "username_key", "email", "email_key", "password_hash", "admin"]


class SQLiteSeeder:
    """Fluent's SQLite layout: UUIDs as upper-case text, dates as seconds since 1970, booleans as 0/1."""

    def __init__(self, path):
        self.path = path

    def _connect(self):
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    def one(self, sql):
        with self._connect() as connection:
            row = connection.execute(sql).fetchone()
            return None if row is None else row[0]

    def seed(self, users, instances, node_id, image_id, first_user=0, first_instance=0, first_port=1000):
        now = time.time()
        with self._connect() as connection:
            connection.executemany(
                f"INSERT INTO users ({', '.join(USER_COLUMNS)}, created_at) VALUES ({', '.join('?' * (len(USER_COLUMNS) + 1))})",
                [(row[0].upper(), *row[1:7], int(row[7]), now) for row in user_rows(first_user, users)],
            )
            rows = list(instance_rows(first_instance, instances, first_user + users, node_id.upper(), image_id.upper(), first_port))
            connection.executemany(
                f"INSERT INTO instances ({', '.join(INSTANCE_COLUMNS)}, created_at) VALUES ({', '.join('?' * (len(INSTANCE_COLUMNS) + 1))})",
                [tuple(self._value(row[column]) for column in INSTANCE_COLUMNS) + (now + index * 1e-6,) for index, row in enumerate(rows)],
            )
            connection.executemany(
                "INSERT INTO allocations (id, node_id, port, instance_id) VALUES (?, ?, ?, ?)",
                [(str(uuid.uuid4()).upper(), row["node_id"], row["port"], row["id"].upper()) for row in rows],
            )

    @staticmethod
    def _value(value):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
            return value.upper()
        return value


class PostgresSeeder:
    """The same rows through psql: native uuid, timestamptz and boolean columns."""

    def __init__(self, url):
        self.url = url

    def one(self, sql):
        output = subprocess.run(["psql", self.url, "-qtAX", "-c", sql], capture_output=True, text=True, check=True).stdout.strip()
        return output or None

    def seed(self, users, instances, node_id, image_id, first_user=0, first_instance=0, first_port=1000):
        lines = ["BEGIN;"]
        lines.append(f"COPY users ({', '.join(USER_COLUMNS)}, created_at) FROM STDIN;")
        for row in user_rows(first_user, users):
            lines.append("\t".join([*row[0:7], "t" if row[7] else "f", "now"]))
        lines.append("\\.")
        rows = list(instance_rows(first_instance, instances, first_user + users, node_id, image_id, first_port))
        lines.append(f"COPY instances ({', '.join(INSTANCE_COLUMNS)}, created_at) FROM STDIN;")
        for index, row in enumerate(rows):
            values = [self._text(row[column]) for column in INSTANCE_COLUMNS]
            lines.append("\t".join(values + [f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())}.{index:06d}+00"]))
        lines.append("\\.")
        lines.append("COPY allocations (id, node_id, port, instance_id) FROM STDIN;")
        for row in rows:
            lines.append("\t".join([str(uuid.uuid4()), row["node_id"], str(row["port"]), row["id"]]))
        lines.append("\\.")
        lines.append("COMMIT;")
        # Done here rather than by the autovacuum that thousands of fresh rows set off, which ran under the first
        # measurement after the seeding (that slot's ceiling halved, its p99 at 24 ms, in two runs of four).
        lines.append("VACUUM ANALYZE;")
        subprocess.run(["psql", self.url, "-q", "-v", "ON_ERROR_STOP=1"], input="\n".join(lines) + "\n", text=True, check=True, capture_output=True)

    @staticmethod
    def _text(value):
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value).replace("\\", "\\\\").replace("\t", "\\t")


def seeder(data_directory, database_url):
    if database_url:
        return PostgresSeeder(database_url)
    return SQLiteSeeder(f"{data_directory}/berth.sqlite")
