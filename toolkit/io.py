"""Crash-safe writing: every output goes to a temporary name in the same folder, then is renamed.

A command's whole output goes through :func:`staged_output` (a temporary sibling folder renamed
into place at the end: all or nothing), after :func:`check_output` has refused an output inside
the dataset or over something that is not an output; :func:`output_lock` lets one writer at a
time into an output folder. A full disk or a read-only folder is a :class:`ToolkitError` (exit 2)
with a sentence, never a traceback or a half-written folder.

A reader (or a rerun after a kill) therefore sees either the old complete file or the new complete
file, never a truncated one. The file gets the permissions a plain ``open()`` would give it (0666
less the umask): ``mkstemp`` makes its file private (0600), which would leave reports unreadable
to colleagues and to a web server serving the reports folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from toolkit.errors import ToolkitError


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it; put it straight back
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: str | os.PathLike, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


# --------------------------------------------------------------------------- whole outputs
#: errors of a write that are the user's situation (full disk, read-only folder, no permission), not a bug
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})
STAGING_MARK = ".staging-"  # hidden: a half-made output is never listed as one


def write_failure(err: OSError, where: str | os.PathLike) -> ToolkitError:
    """The sentence a user reads for a failed write (exit 2), instead of a traceback."""
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the folder is on a read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EFBIG: "the file is too large for this file system",
    }.get(err.errno, err.strerror or str(err))
    return ToolkitError(
        f"cannot write the output to {where}: {reason} ({err.strerror}); nothing was written, the previous "
        "output (if any) is unchanged — free space or choose another --out"
    )


def _within(inner: Path, outer: Path) -> bool:
    try:
        inner.relative_to(outer)
        return True
    except ValueError:
        return False


def check_output(targets: Iterable[str | os.PathLike], inputs: Iterable[str | os.PathLike], *, folder: bool) -> None:
    """Refuse an output that would touch an input or replace something that is not an output.

    ``targets``: the output folder (``folder=True``) or the output files. ``inputs``: dataset
    folders or files that must never be written. An output inside an input folder, or equal to an
    input, is an error; so is an output folder that exists as a file, or an output file that exists
    as anything but a regular file (a folder, a link, a device).
    """
    protected = [Path(p).resolve() for p in inputs if p is not None]
    for target in targets:
        target = Path(target)
        real = target.resolve()
        for p in protected:
            if real == p or (p.is_dir() and _within(real, p)):
                raise ToolkitError(
                    f"--out {target} is inside the input {p} — outputs never go into a dataset folder "
                    "(they could replace a table); choose a folder outside it"
                )
        if folder and (target.exists() or target.is_symlink()) and not target.is_dir():
            raise ToolkitError(
                f"--out {target} exists and is not a folder — refusing to replace it; choose a new or an output folder"
            )
        if not folder and (target.is_symlink() or (target.exists() and not target.is_file())):
            raise ToolkitError(
                f"output {target} exists and is not a regular file (a folder or a link) — refusing to replace it"
            )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(folder: Path, prefix: str) -> None:
    """Remove staging folders (``<prefix><pid>-…``) in ``folder`` left by runs that were killed."""
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        if not p.name.startswith(prefix) or not p.is_dir() or p.is_symlink():
            continue
        try:
            pid = int(p.name[len(prefix) :].split("-", 1)[0])
        except ValueError:
            continue
        if not _pid_alive(pid):
            shutil.rmtree(p, ignore_errors=True)


class StagedOutput:
    """A command's whole output, written under a temporary folder and renamed into place.

    Files are written with :meth:`path` / :meth:`write_bytes` / :meth:`write_text` relative to
    ``target``; nothing under ``target`` changes until :meth:`publish`. A new ``target`` is staged
    in a sibling folder and published by one atomic rename. An existing ``target`` is staged in a
    hidden folder inside it (same file system) and published by renaming each staged file or
    folder onto its place: renames need no disk space, so a full disk fails while staging, never
    half-way through publishing. Files of ``target`` the command does not write (other counties,
    other years) are kept.
    """

    def __init__(self, target: str | os.PathLike):
        self.target = Path(target)
        if self.target.is_dir():
            where, prefix = self.target, STAGING_MARK
        else:
            where, prefix = self.target.parent, f".{self.target.name}{STAGING_MARK}"
            where.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(where, prefix)
        self.root = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=where))
        os.chmod(self.root, 0o777 & ~_umask())
        self.files: list[Path] = []

    def path(self, relative: str | os.PathLike) -> Path:
        p = self.root / relative
        p.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(Path(relative))
        return p

    def write_bytes(self, relative: str | os.PathLike, data: bytes) -> None:
        p = self.path(relative)
        p.write_bytes(data)
        os.chmod(p, 0o666 & ~_umask())

    def write_text(self, relative: str | os.PathLike, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def publish(self) -> None:
        if not self.target.exists() and not self.target.is_symlink():
            os.rename(self.root, self.target)
            return
        _check_merge(self.root, self.target)
        _merge(self.root, self.target)
        shutil.rmtree(self.root, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _check_merge(src: Path, dst: Path) -> None:
    """Every staged entry can replace what is in its place (checked before the first rename)."""
    for entry in src.iterdir():
        there = dst / entry.name
        if there == src:
            continue
        if there.is_symlink() or (there.exists() and there.is_dir() != entry.is_dir()):
            raise ToolkitError(
                f"output {there} exists as a {'folder' if there.is_dir() else 'file or link'} — refusing to replace it"
            )
        if entry.is_dir() and there.is_dir():
            _check_merge(entry, there)


def _merge(src: Path, dst: Path) -> None:
    for entry in sorted(src.iterdir()):
        there = dst / entry.name
        if entry.is_dir() and there.is_dir():
            _merge(entry, there)
        else:
            os.replace(entry, there)


@contextlib.contextmanager
def staged_output(target: str | os.PathLike) -> Iterator[StagedOutput]:
    """``with staged_output(out) as stage:`` write into ``stage``; published only if the block succeeds.

    A failure (an exception, a full disk, a read-only folder) leaves ``target`` as it was and no
    staging folder behind; write failures become a :class:`ToolkitError` (exit 2) with a sentence.
    """
    try:
        stage = StagedOutput(target)
    except OSError as err:
        if err.errno in WRITE_ERRNOS:
            raise write_failure(err, target) from None
        raise
    try:
        yield stage
        stage.publish()
    except OSError as err:
        stage.discard()
        if err.errno in WRITE_ERRNOS:
            raise write_failure(err, target) from None
        raise
    except BaseException:
        stage.discard()
        raise


def write_files(files: Mapping[str | os.PathLike, bytes]) -> None:
    """Write several output files (possibly in different folders) all or none.

    Each folder is staged with :func:`staged_output` and published only after every file of every
    folder was written, so a full disk leaves each file as it was. The files of one command usually
    share a folder (one rename set); for a command writing into two folders the folders are
    published one after the other (renames, which need no space).
    """
    groups: dict[Path, dict[str, bytes]] = {}
    for path, data in files.items():
        p = Path(path)
        groups.setdefault(p.parent.resolve(), {})[p.name] = data
    with contextlib.ExitStack() as stack:
        for folder, named in groups.items():
            stage = stack.enter_context(staged_output(folder))
            for name, data in named.items():
                stage.write_bytes(name, data)


# --------------------------------------------------------------------------- one writer per folder
_HELD: dict[Path, int] = {}
LOCK_NAME = ".batch.lock"


@contextlib.contextmanager
def output_lock(folder: str | os.PathLike, what: str = "another run") -> Iterator[None]:
    """One writer at a time per output folder (``flock`` on ``<folder>/.batch.lock``).

    Re-entrant within a process: ``main`` holds it for its whole run, and the batch it starts
    takes it again without blocking itself. A second process gets a ToolkitError (exit 2) before
    writing anything.
    """
    import fcntl

    folder = Path(folder).resolve()
    if folder in _HELD:
        _HELD[folder] += 1
        try:
            yield
        finally:
            _HELD[folder] -= 1
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fh = open(folder / LOCK_NAME, "a+")  # noqa: SIM115 (held for the whole block)
    except OSError as err:
        if err.errno in WRITE_ERRNOS:
            raise write_failure(err, folder) from None
        raise
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ToolkitError(
                f"{what} is writing to {folder} — wait for it to finish or choose another --out; nothing was written"
            ) from None
        _HELD[folder] = 1
        try:
            yield
        finally:
            del _HELD[folder]
            fcntl.flock(fh, fcntl.LOCK_UN)
