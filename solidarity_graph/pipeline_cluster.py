"""Extraction on the workers of a Dask distributed cluster (issue 7).

    solidarity ingest archive/ --cluster tcp://10.0.0.5:8786 --db postgresql+psycopg://...

This process (the client) reads the files, skips what the store already holds and sends each
document, text and all, to the cluster: workers may be other machines without the files or the
database. A worker extracts the document with models it loaded once (the module cache of
:mod:`solidarity_graph.pipeline`) and the extracted document comes back here to be resolved and
stored by :func:`~solidarity_graph.pipeline.ingest_documents`, one transaction per document, in the
order the documents came, so the graph is the one a one-process ingest makes. At most ``window``
documents are out at once (four per worker thread), so a backfill of a million files holds a few
dozen in memory. A document whose extraction raises is reported and the batch goes on; so is one
that kills its worker more often than the scheduler's ``distributed.scheduler.allowed-failures``
(3 by default; each death moves its tasks to another worker). Dask counts a death against every
task on that worker, so a document that shared it may be given up too: re-running the same
command stores it. A task that raises outside the extractor's own guard is tried once more.

Workers need this package installed (the models come with it). Extraction holds the GIL, so give
each worker process one thread: ``dask worker tcp://HOST:8786 --nworkers 4 --nthreads 1``.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import suppress
from typing import Any

from solidarity_graph.errors import SolidarityGraphError
from solidarity_graph.model import Document
from solidarity_graph.pipeline import ExtractMap, IngestSummary, _extract_safe, ingest_documents

__all__ = ["CONNECT_TIMEOUT", "ClusterError", "connect", "extract_on_cluster", "extract_on_worker",
           "ingest_on_cluster"]

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler and find a worker there
TASKS_PER_THREAD = 4  # documents out per worker thread: enough to keep workers busy, few to hold

_EXTRACTING = threading.Lock()  # a worker with several threads shares one set of models

# distributed's Client and Future are untyped, so they are Any here
Client = Any
Future = Any


class ClusterError(SolidarityGraphError):
    """The Dask cluster cannot be used: Dask is not installed, its scheduler cannot be reached or has no
    workers, or it went away during the run."""


def extract_on_worker(doc: Document) -> Document:
    """The task a worker runs: extract one document, or mark it failed saying why."""
    with _EXTRACTING:
        return _extract_safe(doc)


def connect(address: str, *, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A client of the scheduler at ``address`` that has at least one worker; a :class:`ClusterError` if not."""
    try:
        import distributed
        from distributed.comm.addressing import get_address_host_port
    except ImportError as e:
        raise ClusterError("--cluster needs Dask: pip install 'solidarity-graph[cluster]'") from e
    try:  # before the Client: one made from a bad address cannot be closed cleanly
        get_address_host_port(address)
    except ValueError as e:
        raise ClusterError(f"{address}: not a Dask scheduler address ({e}); give tcp://HOST:PORT") from e
    try:
        client: Client = distributed.Client(address, timeout=timeout, set_as_default=False)  # type: ignore[no-untyped-call]
    except Exception as e:  # refused, timed out, or another service answered
        # another service's reply read as a Dask frame gives an absurd length to allocate
        why = "a service that is not a Dask scheduler answered" if isinstance(e, MemoryError) else f"{type(e).__name__}: {e}"
        raise ClusterError(f"cannot reach a Dask scheduler at {address} within {timeout:g} s: {why}") from e
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as e:
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers (waited {timeout:g} s)") from e
    return client


def extract_on_cluster(client: Client, *, window: int | None = None) -> ExtractMap:
    """An ``extract_map`` for :func:`ingest_documents` that extracts on the workers of ``client``'s cluster.

    Results come back in the order the documents went out; at most ``window`` (default four per
    worker thread) are out at once. Closing the generator early cancels what is still out.
    """
    size = window or TASKS_PER_THREAD * max(1, sum(client.nthreads().values()))
    address = str(client.scheduler.address)

    def run(docs: Iterator[Document]) -> Generator[Document, None, None]:
        out: deque[tuple[Document, Future]] = deque()
        try:
            for doc in docs:
                out.append((doc, client.submit(extract_on_worker, doc, retries=1, pure=False)))
                if len(out) >= size:
                    yield _collect(client, address, *out.popleft())
            while out:
                yield _collect(client, address, *out.popleft())
        finally:
            if out:  # stopped early: the documents still out are not wanted
                _cancel(client, [f for _, f in out])

    return run


def _cancel(client: Client, futures: list[Future]) -> None:
    """Cancel tasks still out, unless the scheduler is gone (and the tasks with it)."""
    from distributed.client import ClosedClientError

    if client.status == "running":
        with suppress(ClosedClientError, OSError):  # it went between the check and the cancel
            client.cancel(futures)


def _collect(client: Client, address: str, doc: Document, future: Future) -> Document:
    """The extracted document, or ``doc`` marked failed when its task did (an error, a lost worker)."""
    try:
        done: Document = future.result()
        return done
    except Exception as e:  # KilledWorker, an error Dask raised: reported per document, the batch goes on
        if client.status not in ("running", "connecting"):
            raise ClusterError(f"lost the Dask scheduler at {address}: the documents stored so far are whole; "
                               "run the same command again, once it is back, to store the rest") from e
        doc.errors.append(f"extraction failed on the cluster: {type(e).__name__}: {e}")
        doc.meta["failed"] = True
        return doc
    finally:
        future.release()


def ingest_on_cluster(docs: Iterable[Document | tuple[str, str]], store: Any, address: str, *,
                      timeout: float = CONNECT_TIMEOUT, window: int | None = None,
                      progress: Callable[[int], None] | None = None) -> IngestSummary:
    """:func:`~solidarity_graph.pipeline.ingest_documents` with extraction on the cluster at ``address``.

    >>> ingest_on_cluster(read_all(["archive/"]), store, "tcp://10.0.0.5:8786")  # doctest: +SKIP
    """
    client = connect(address, timeout=timeout)
    try:
        return ingest_documents(docs, store, progress=progress,
                                extract_map=extract_on_cluster(client, window=window))
    finally:
        client.close()
