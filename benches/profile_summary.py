#!/usr/bin/env python3
"""Where the samples of a folded perf profile (inferno-collapse-perf) went:
the share of samples whose stack passes through each part, inclusive, so
the lines overlap. Usage: profile_summary.py profile.folded"""
import sys

# (label, substrings of a frame that put a sample in that part), in the
# order printed.
PARTS = [
    ("SQLite (the library itself)", ("sqlite3",)),
    ("sqlx (driver, pool, worker thread)", ("sqlx_core", "sqlx_sqlite", "sqlx_postgres")),
    ("token writer (group commit)", ("token_batch",)),
    ("Devportal handlers and services", ("devportal::services", "devportal::gateway", "devportal::web")),
    ("askama rendering", ("askama",)),
    ("JSON (serde_json)", ("serde_json",)),
    ("SHA-256 / HMAC (ring, sha2)", ("sha2::", "ring::digest", "ring_core")),
    ("hyper (HTTP/1 parsing and writing)", ("hyper::",)),
    ("tower-http layers (trace, request id, timeout)", ("tower_http",)),
    ("tracing", ("tracing_core", "tracing_subscriber", "tracing::")),
    ("tokio scheduler and timers", ("tokio::runtime", "tokio::time")),
    ("malloc and free", ("malloc", "cfree", "_int_free", "realloc", "mi_free")),
    ("kernel: network (tcp, sockets)", ("tcp_", "sock_", "inet_", "__sys_sendto", "__sys_recvfrom")),
    ("kernel: read and write calls (sockets and files)", ("vfs_read", "vfs_write", "ext4_", "__libc_pread", "__libc_pwrite", "fdatasync")),
    ("kernel: waking and switching threads", ("futex", "schedule", "finish_task_switch", "try_to_wake_up")),
]

total = 0
counts = [0] * len(PARTS)
for line in open(sys.argv[1]):
    stack, _, n = line.rpartition(" ")
    if not n.strip().isdigit():
        continue
    n = int(n)
    total += n
    for i, (_, needles) in enumerate(PARTS):
        if any(s in stack for s in needles):
            counts[i] += n
print(f"| part of the stack | share of {total:,} samples |")
print("|---|---|")
for (label, _), c in zip(PARTS, counts):
    print(f"| {label} | {100 * c / max(total, 1):.0f} % |")
