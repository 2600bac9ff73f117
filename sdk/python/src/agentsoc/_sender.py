from __future__ import annotations

import gzip
import http.client
import json
import logging
import threading
import time
from collections import deque
from typing import Callable

from ._backoff import backoff_delay
from ._http import USER_AGENT, Answer, Target, retry_after_seconds

INGEST_PATH = "/api/v1/ingest"
# Well inside the console's defaults (SOC_INGEST_MAX_EVENTS 10,000, SOC_INGEST_MAX_BYTES 10 MiB); a 413 is split anyway.
MAX_BATCH_EVENTS = 2000
MAX_BATCH_BYTES = 2 * 1024 * 1024


class _Retry(Exception):
    def __init__(self, why: str, retry_after: float | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.retry_after = retry_after


class Sender:
    """
    The background half of log(): a bounded queue of encoded events and one thread that sends them
    in batches (by count and by time) as gzip NDJSON, retrying what the console could not take and
    never retrying what it refused. Each event's bytes, event_id included, are fixed when it is
    logged, so a retry is stored once.
    """

    def __init__(
        self,
        target: Target,
        ingest_key: str,
        *,
        batch_size: int,
        flush_interval: float,
        max_buffer: int,
        request_timeout: float,
        logger: logging.Logger,
        dropped_report: Callable[[int], bytes],
    ) -> None:
        if batch_size < 1 or max_buffer < 1:
            raise ValueError("batch_size and max_buffer must be at least 1")
        self._target = target
        self._key = ingest_key
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._max_buffer = max_buffer
        self._timeout = request_timeout
        self._log = logger
        self._dropped_report = dropped_report
        self._reset_state()

    def _reset_state(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[bytes] = deque()
        self._oldest_at = 0.0
        self._enqueued = 0
        self._settled = 0
        self._in_flight = 0
        self._dropped_unreported = 0
        self._flushing = 0
        self._closing = False
        self._give_up_at: float | None = None
        self._thread: threading.Thread | None = None
        self._conn: http.client.HTTPConnection | None = None
        self._conn_used_at = 0.0
        self._failing_since: float | None = None
        self.stats = {"delivered": 0, "duplicates": 0, "rejected": 0, "dropped": 0, "retries": 0, "abandoned": 0}

    # ---- the agent's side: never blocks on the network ----

    def enqueue(self, line: bytes) -> None:
        with self._cond:
            if self._closing:
                if not self.stats["abandoned"]:
                    self._log.warning("agentsoc: log() after close(): the event is not sent")
                self.stats["abandoned"] += 1
                return
            if len(self._queue) >= self._max_buffer:
                self._queue.popleft()
                self._dropped_unreported += 1
                self.stats["dropped"] += 1
                self._settled += 1
            elif not self._queue:
                self._oldest_at = time.monotonic()
            self._queue.append(line)
            self._enqueued += 1
            # The first event starts the batch's clock and a full batch goes at once: the thread is told of both.
            if len(self._queue) == 1 or len(self._queue) == self._batch_size:
                self._cond.notify()
            if self._thread is None:
                self._start()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="agentsoc-sender", daemon=True)
        self._thread.start()

    def flush(self, timeout: float) -> bool:
        """Waits until everything logged before this call was delivered or refused; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            target = self._enqueued
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._settled < target:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                return True
            finally:
                self._flushing -= 1

    def close(self, timeout: float) -> bool:
        """Delivers what it can within `timeout`, then stops; what is left is counted and logged."""
        delivered = self.flush(timeout)
        with self._cond:
            self._closing = True
            self._give_up_at = time.monotonic()
            left = len(self._queue) + self._in_flight
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(min(1.0, self._timeout))
        if left:
            self._log.warning("agentsoc: %d events were not delivered before close (console unreachable or slow)", left)
        return delivered

    def after_fork_in_child(self) -> None:
        """The parent sends what it had queued; the child starts empty, with its own lock and thread."""
        stats = self.stats
        self._reset_state()
        self.stats = {k: 0 for k in stats}

    def queued(self) -> int:
        with self._cond:
            return len(self._queue) + self._in_flight

    # ---- the sender thread ----

    def _due(self) -> bool:
        if not self._queue:
            return False
        return (
            len(self._queue) >= self._batch_size
            or self._flushing > 0
            or self._closing
            or time.monotonic() - self._oldest_at >= self._flush_interval
        )

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._due():
                    if self._closing:
                        return
                    wait = self._flush_interval - (time.monotonic() - self._oldest_at) if self._queue else None
                    self._cond.wait(None if wait is None else max(wait, 0.001))
                batch = self._take_batch()
                count = len(batch)
                self._oldest_at = time.monotonic()
                self._in_flight = count
                dropped, self._dropped_unreported = self._dropped_unreported, 0
            if dropped:
                batch.insert(0, self._dropped_report(dropped))
            try:
                self._deliver(batch)
            except Exception:  # never let the thread die: log and move on
                self._log.exception("agentsoc: unexpected error while sending %d events; they are lost", len(batch))
            with self._cond:
                self._in_flight = 0
                self._settled += count
                self._cond.notify_all()

    def _take_batch(self) -> list[bytes]:
        """
        batch_size events, or more when the sender has fallen behind: a backlog goes in larger
        requests (up to MAX_BATCH_EVENTS and MAX_BATCH_BYTES), so a slow console costs fewer round trips.
        """
        batch: list[bytes] = []
        size = 0
        while self._queue and len(batch) < MAX_BATCH_EVENTS:
            line = self._queue[0]
            if len(batch) >= self._batch_size and size + len(line) > MAX_BATCH_BYTES:
                break
            batch.append(self._queue.popleft())
            size += len(line) + 1
        return batch

    def _giving_up(self) -> bool:
        return self._give_up_at is not None and time.monotonic() >= self._give_up_at

    def _deliver(self, batch: list[bytes]) -> None:
        attempt = 0
        while True:
            if self._giving_up():
                # Closed and out of time: what is left is counted, not sent (close() logs how many).
                self.stats["abandoned"] += len(batch)
                return
            try:
                self._post(batch)
                if self._failing_since is not None:
                    self._log.info("agentsoc: the console takes events again after %.1f s", time.monotonic() - self._failing_since)
                    self._failing_since = None
                return
            except _Split:
                half = len(batch) // 2
                self._deliver(batch[:half])
                self._deliver(batch[half:])
                return
            except _Retry as retry:
                if self._failing_since is None:
                    self._failing_since = time.monotonic()
                    self._log.warning("agentsoc: sending events failed (%s); retrying with backoff, events are kept", retry.why)
                self.stats["retries"] += 1
                delay = backoff_delay(attempt, retry.retry_after)
                attempt += 1
                with self._cond:
                    deadline = time.monotonic() + delay
                    while not self._giving_up() and (remaining := deadline - time.monotonic()) > 0:
                        self._cond.wait(remaining if self._give_up_at is None else min(remaining, max(self._give_up_at - time.monotonic(), 0.001)))

    def _post(self, batch: list[bytes]) -> None:
        body = gzip.compress(b"\n".join(batch) + b"\n", compresslevel=1)
        headers = {
            "Authorization": f"Bearer {self._key}",
            "Content-Type": "application/x-ndjson",
            "Content-Encoding": "gzip",
            "User-Agent": USER_AGENT,
        }
        answer = self._send(body, headers)
        status = answer.status
        if status in (200, 207):
            result = answer.json()
            if isinstance(result, dict):
                self.stats["delivered"] += int(result.get("accepted", 0) or 0)
                self.stats["duplicates"] += int(result.get("duplicates", 0) or 0)
                rejected = result.get("rejected") or []
                if rejected:
                    self._report_rejected(batch, rejected, status)
            return
        if status == 413 and len(batch) > 1:
            raise _Split()
        if status in (408, 425, 429) or status >= 500:
            raise _Retry(f"HTTP {status}: {answer.message()}", retry_after_seconds(answer.headers.get("retry-after")))
        # Refused whole (400, 401, 403, 413 for one event…): retrying cannot help.
        details = answer.json()
        error = details.get("error") if isinstance(details, dict) else None
        rejected = error.get("rejected") if isinstance(error, dict) else None
        if isinstance(rejected, list) and rejected:
            self._report_rejected(batch, rejected, status)
            unnamed = len(batch) - len(rejected)
            if unnamed > 0:
                self.stats["rejected"] += unnamed
        else:
            self.stats["rejected"] += len(batch)
            self._log.error("agentsoc: the console refused a batch of %d events (HTTP %d): %s", len(batch), status, answer.message())

    def _report_rejected(self, batch: list[bytes], rejected: list[object], status: int) -> None:
        for item in rejected:
            if not isinstance(item, dict):
                continue
            self.stats["rejected"] += 1
            index = item.get("index")
            line = batch[index] if isinstance(index, int) and 0 <= index < len(batch) else b"{}"
            try:
                event = json.loads(line)
            except ValueError:
                event = {}
            errors = item.get("errors") or []
            why = "; ".join(f"{e.get('path') or '(record)'}: {e.get('message')}" for e in errors if isinstance(e, dict)) or "no reason given"
            self._log.warning(
                "agentsoc: the console rejected event %s (%s %r, HTTP %d): %s",
                event.get("event_id", item.get("event_id")),
                event.get("action_type"),
                event.get("action_name"),
                status,
                why,
            )

    def _send(self, body: bytes, headers: dict[str, str]) -> Answer:
        for fresh in (False, True):
            reused = self._conn is not None and not fresh
            if self._conn is None or fresh:
                self._drop_conn()
                self._conn = self._target.connect(self._timeout)
            try:
                self._conn.request("POST", self._target.path(INGEST_PATH), body=body, headers=headers)
                resp = self._conn.getresponse()
                answer = Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
                if resp.will_close:
                    self._drop_conn()
                return answer
            except (OSError, http.client.HTTPException) as err:
                self._drop_conn()
                # A kept-alive connection the server closed while idle: one immediate retry on a new one.
                if reused and isinstance(err, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
                    continue
                raise _Retry(f"{type(err).__name__}: {err}") from err
        raise _Retry("connection closed twice")

    def _drop_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._conn = None


class _Split(Exception):
    """413 for a batch of several events: send it in halves."""

