"""Step 1 of an import: read each file once and verify it whole, except whether its signer is trusted.

Verifying is most of an import's time (the PDF signature, the JSON Schemas, the manifest's signature) and needs
no database, so for many files it runs in a pool of processes, one per core (:func:`check_files`). The results
come back in file order, and the import stores them one by one in that order, in its own process: which file
is a duplicate, a conflict or a replay is decided exactly as if they had been checked one after the other.

The pool's processes are started fresh ("spawn"), never forked from a process that runs Qt's threads; like
every spawned process they import the program's main module first, so a script that imports may run only
under ``if __name__ == "__main__"`` (the app's entry points do). An encrypted bundle is opened in the calling
process (the Business Unit's key never leaves it); only the opened bundle's bytes go to the pool.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import pickle
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from oscb_desktop.bundle import Code, Rejection, VerifyResult, verify_bundle
from oscb_desktop.bundle.safezip import BUNDLE_RULES, SafeZip, read_zip
from oscb_desktop.bundle.trust import normalise_agency_name
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import import_pdf
from oscb_desktop.services.import_pdf import PDF_SUFFIX
from oscb_desktop.signing import UnlockedKey, envelope
from oscb_desktop.signing.envelope import ENVELOPE_SUFFIX

BUNDLE_SUFFIX = ".oscb"
#: An encrypted bundle is a bundle and a little envelope around it; the plain bundle's limits apply once opened.
ENVELOPE_RULES = dataclasses.replace(BUNDLE_RULES, max_bytes=BUNDLE_RULES.max_bytes + 64 * 1024)
#: Fewer files than this are checked in the calling process: starting the pool (each process loads the
#: verifier: one to two seconds) costs more than verifying a few dozen bundles on two cores saves (about 17 ms
#: each).
POOL_FROM_FILES = 100
#: Files handed to the pool ahead of the one being stored, per process: enough to keep every process busy,
#: few enough that the checked bundles waiting in memory stay a handful.
AHEAD_PER_PROCESS = 4

_OPEN_IT = "Import it in the partnership's Business Unit workspace, with its key's passphrase."


@dataclass(frozen=True)
class Checked:
    """One file after step 1: its bytes and the verdict on everything but whether its signer is trusted."""

    path: Path
    result: VerifyResult
    data: bytes | None = None
    #: The signed PDF of a sound bundle, when the pool's process was asked to read it (``check_files(...,
    #: with_pdf=True)``): unpacking it is then not work for the importing process, the import's narrowest step.
    pdf: bytes | None = None

    @property
    def signer(self) -> tuple[str, str] | None:
        """(fingerprint, agency name as compared) of a sound bundle; the key a trust question is asked once for."""
        if not self.result.ok or self.result.manifest is None or not self.result.signer_fingerprint:
            return None
        return self.result.signer_fingerprint, normalise_agency_name(self.result.manifest.agency.name)


def is_encrypted_name(path: Path) -> bool:
    return path.name.lower().endswith(BUNDLE_SUFFIX + ENVELOPE_SUFFIX)


def check_file(path: str | Path, forms: FormRegistry, key: UnlockedKey | None = None) -> Checked:
    """Read the file once and verify it whole, except the signer's trust (no database needed).

    A ``.pdf`` is a signed submission PDF sent without its bundle (:func:`oscb_desktop.bundle.verify_return_pdf`).
    An encrypted bundle (``.oscb.p7m``) is opened in memory with ``key``, the Business Unit's, then verified.
    """
    path = Path(path)
    if path.suffix.lower() == PDF_SUFFIX:
        return Checked(path, *import_pdf.check_pdf(path, forms))
    try:
        data = _read(path, key)
    except Rejection as rejection:
        return Checked(path, VerifyResult.refused(rejection))
    return _verified(path, data, forms)


def _read(path: Path, key: UnlockedKey | None) -> bytes:
    """The bundle's bytes, read once (the bytes verified are the bytes stored, even if the file changes
    meanwhile), opened first if encrypted; a :class:`Rejection` if they cannot be had."""
    data = read_zip(path, ENVELOPE_RULES) if is_encrypted_name(path) else read_zip(path, BUNDLE_RULES)
    if is_encrypted_name(path) or envelope.is_envelope(data):
        data = read_zip(_opened(data, key), BUNDLE_RULES)
    return data


def _verified(path: Path, data: bytes, forms: FormRegistry) -> Checked:
    return Checked(path, verify_bundle(data, forms=forms, trusted=None), data)


def _opened(data: bytes, key: UnlockedKey | None) -> bytes:
    """The plain bundle inside an encrypted one, in memory; a :class:`Rejection` with its own code if not."""
    if key is None:
        raise Rejection(
            Code.KEY_NEEDED,
            "This bundle is encrypted for the Business Unit: give its key's passphrase (oscb import "
            "--passphrase-file F, or the app asks for it) to open it. Nothing was stored.",
        )
    try:
        return envelope.decrypt(data, key)
    except envelope.EnvelopeError as exc:
        if exc.kind == "not_for_you":
            raise Rejection(
                Code.ENCRYPTED_FOR_ANOTHER,
                "This bundle is encrypted for another key than this Business Unit's: it was sent to another "
                f"partnership, or encrypted for a key this Business Unit no longer has. {_OPEN_IT}",
            ) from None
        raise Rejection(
            Code.BAD_ENVELOPE,
            f"{exc} Ask the agency to export the return again and send the new file.",
        ) from None


# Many files: a pool of processes -------------------------------------------------------------------------


def pool_size(files: int, processes: int | None = None) -> int:
    """How many processes check ``files`` files: 1 (the calling process) for a few files or a single core."""
    cores = processes if processes is not None else (os.cpu_count() or 1)
    return 1 if files < POOL_FROM_FILES or cores < 2 else min(cores, files)


def check_files(
    paths: Iterable[Path],
    forms: FormRegistry,
    key: UnlockedKey | None = None,
    *,
    processes: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    with_pdf: bool = False,
) -> Iterator[Checked]:
    """:func:`check_file` for every path, in order, in a pool of ``processes`` processes (one per core by
    default; none for a few files). Stops handing out files once ``cancelled()``; closing the iterator early
    stops the pool."""
    files = list(paths)
    size = pool_size(len(files), processes)
    if size == 1:
        for path in files:
            if cancelled is not None and cancelled():
                return
            yield check_file(path, forms, key)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(size, mp_context=context, initializer=_start_worker, initargs=(_packed(forms),)) as pool:
        waiting: deque[Future[Checked] | Checked] = deque()
        todo = iter(files)
        try:
            while True:
                while len(waiting) < size * AHEAD_PER_PROCESS and not (cancelled is not None and cancelled()):
                    following = next(todo, None)
                    if following is None:
                        break
                    waiting.append(_hand_out(pool, following, key, with_pdf))
                if not waiting:
                    return
                pending = waiting.popleft()
                yield _received(pending.result() if isinstance(pending, Future) else pending)
        finally:
            for left in waiting:
                if isinstance(left, Future):
                    left.cancel()


def _hand_out(
    pool: ProcessPoolExecutor, path: Path, key: UnlockedKey | None, with_pdf: bool
) -> Future[Checked] | Checked:
    """The file's check, handed to the pool (an encrypted bundle opened here first: the key stays here)."""
    if path.suffix.lower() == PDF_SUFFIX or key is None:
        return pool.submit(_check_in_worker, path, None, with_pdf)
    try:
        data = _read(path, key)
    except Rejection as rejection:
        return Checked(path, VerifyResult.refused(rejection))
    return pool.submit(_check_in_worker, path, data, with_pdf)


_WORKER_FORMS: FormRegistry | None = None


def _packed(forms: FormRegistry) -> bytes:
    """The forms as a new process is given them: compressed, so that what starting it writes to its pipe (with
    the forms, ~90 kB) fits the pipe (64 kB); otherwise the import waited, blocked, until each new process had
    started Python and loaded the program (~1.2 s each, one after the other)."""
    return zlib.compress(pickle.dumps(forms, protocol=pickle.HIGHEST_PROTOCOL))


def _start_worker(packed_forms: bytes) -> None:
    global _WORKER_FORMS
    _WORKER_FORMS = pickle.loads(zlib.decompress(packed_forms))  # our own forms, from the importing process
    _lower_priority()
    parent = multiprocessing.parent_process()
    if parent is not None:  # the importing process killed (or crashed): this one ends too, not left behind
        threading.Thread(target=_end_with, args=(parent,), daemon=True, name="end-with-parent").start()


#: How much lower the pool's processes run than the importing one (Unix niceness).
WORKER_NICENESS = 10


def _lower_priority() -> None:
    """The pool's processes yield the processor to the importing one, which stores the bundles one by one in file
    order: it is the import's narrowest step, and a window's stays responsive. The pool uses what is left."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):  # not allowed: the same priority as before
            os.nice(WORKER_NICENESS)


def _end_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()
    os._exit(1)


def _check_in_worker(path: Path, data: bytes | None, with_pdf: bool = False) -> Checked:
    """In a pool process: the check, made ready to travel back (the verdict without its open zip)."""
    assert _WORKER_FORMS is not None
    checked = check_file(path, _WORKER_FORMS) if data is None else _verified(path, data, _WORKER_FORMS)
    res = checked.result
    pdf = res.read_member("submission.pdf") if with_pdf and res.ok and res.source == "bundle" else None
    return dataclasses.replace(checked, result=dataclasses.replace(res, _zip=None), pdf=pdf)


def _received(checked: Checked) -> Checked:
    """A check back from the pool, with the verified bundle's zip opened again on the same bytes."""
    res = checked.result
    if res.ok and res.source == "bundle" and res._zip is None and checked.data is not None:
        reopened = SafeZip.open(checked.data, BUNDLE_RULES)
        return dataclasses.replace(checked, result=dataclasses.replace(res, _zip=reopened))
    return checked
