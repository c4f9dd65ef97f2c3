#!/usr/bin/env python3
"""Uploads for the outbound-media benchmarks (API.md Part 2, "Uploads and outbound media"), over keep-alive
HTTP/1.1 connections to a running server.

  uploads.py prepare --port P --token T --out PREFIX --count N [--size-mb 1] [--parallel 4] CONVERSATIONS_FILE
      N distinct JPEG uploads (random bytes behind the JPEG magic number: each needs its own upload to Meta), each
      for a conversation of its account: line i of PREFIX_conversations.txt and of PREFIX_uploads.txt are a pair
      (the send_media scenario draws both lists in order, so every send gets a fresh upload of its account).
  uploads.py throughput --port P --token T --account A [--size-mb 64] [--files 8] [--parallel 1]
      Large PDF uploads; prints MB/s over the wall time of all of them (JSON on the last line).

CONVERSATIONS_FILE has `account_id conversation_id` per line."""
import argparse
import http.client
import json
import os
import sys
import threading
import time

MIB = 1024 * 1024


def upload(connection, token, account, body, mime_type, filename):
    connection.request("POST", f"/accounts/{account}/uploads?filename={filename}", body=body,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": mime_type})
    response = connection.getresponse()
    answer = response.read()
    if response.status != 201:
        raise RuntimeError(f"upload answered {response.status}: {answer[:300]!r}")
    return json.loads(answer)["upload"]


def run_parallel(jobs, parallel, port, work):
    """Runs work(connection, job) for every job on `parallel` threads, each with its own keep-alive connection."""
    results, errors, lock = [None] * len(jobs), [], threading.Lock()
    next_job = iter(range(len(jobs)))

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                index = next(next_job, None)
            if index is None or errors:
                return
            try:
                results[index] = work(connection, jobs[index])
            except Exception as error:  # reported once, after the threads end
                with lock:
                    errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def prepare(args):
    conversations = [line.split() for line in open(args.conversations) if line.strip()]
    size = int(args.size_mb * MIB)

    def work(connection, job):
        index, (account, conversation) = job
        body = b"\xff\xd8\xff\xe0" + os.urandom(size - 4)
        uploaded = upload(connection, args.token, account, body, "image/jpeg", f"photo-{index}.jpg")
        return conversation, uploaded["id"]

    jobs = [(i, conversations[i % len(conversations)]) for i in range(args.count)]
    started = time.monotonic()
    pairs = run_parallel(jobs, args.parallel, args.port, work)
    with open(args.out + "_conversations.txt", "w") as out:
        out.write("".join(conversation + "\n" for conversation, _ in pairs))
    with open(args.out + "_uploads.txt", "w") as out:
        out.write("".join(upload + "\n" for _, upload in pairs))
    elapsed = time.monotonic() - started
    print(f"uploads: {args.count} x {args.size_mb} MB prepared in {elapsed:.1f} s", file=sys.stderr)


def throughput(args):
    size = int(args.size_mb * MIB)
    # One body reused: the client's own work stays small, the server hashes and stores every byte anyway.
    body = b"%PDF-1.7\n" + os.urandom(size - 9)

    def work(connection, index):
        return upload(connection, args.token, args.account, body, "application/pdf", f"big-{index}.pdf")

    started = time.monotonic()
    uploads = run_parallel(list(range(args.files)), args.parallel, args.port, work)
    elapsed = time.monotonic() - started
    total = sum(u["file_size"] for u in uploads)
    result = {"files": args.files, "size_mb": args.size_mb, "parallel": args.parallel, "seconds": round(elapsed, 3),
              "mb_per_s": round(total / MIB / elapsed, 1)}
    print(f"uploads: {args.files} x {args.size_mb} MiB, {args.parallel} at a time: {result['mb_per_s']} MiB/s")
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("prepare", "throughput"):
        command = sub.add_parser(name)
        command.add_argument("--port", type=int, required=True)
        command.add_argument("--token", required=True)
        command.add_argument("--parallel", type=int, default=4 if name == "prepare" else 1)
    prepare_args = sub.choices["prepare"]
    prepare_args.add_argument("--out", required=True)
    prepare_args.add_argument("--count", type=int, required=True)
    prepare_args.add_argument("--size-mb", type=float, default=1)
    prepare_args.add_argument("conversations")
    throughput_args = sub.choices["throughput"]
    throughput_args.add_argument("--account", required=True)
    throughput_args.add_argument("--size-mb", type=float, default=64)
    throughput_args.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    (prepare if args.command == "prepare" else throughput)(args)


if __name__ == "__main__":
    main()
