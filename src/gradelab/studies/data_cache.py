"""Data files of a student bundle that a study has to train for: built once per machine, then read back.

``gradelab assign initialization`` ships ``data/initialization.pkl``, the
results of the initialization study. Training it on every bundle cost seconds
(and, with a cold Numba cache, the kernel's compilation); the bytes only change
when the code or the libraries that make them change. So the first bundle
builds the file and keeps it here, and later bundles copy it.

Where: ``$GRADELAB_CACHE`` if set, else ``$XDG_CACHE_HOME/gradelab``, else
``~/.cache/gradelab``; entries go in its ``bundle-data`` folder, which may be
deleted at any time.

An entry is named by its file and a hash of everything that decides its bytes
(:func:`cache_key`): the source of the gradelab modules that build it, the
gradelab and Python versions, and the versions of the libraries it names.
An edited study or a new NumPy gives a new name, never a stale file. An entry
holds the SHA-256 of its payload on its first line; one whose hash does not
match, or whose payload the file's own check refuses, is built again rather
than trusted. A cache that cannot be written costs the build, not the bundle.
Entries end up in the bundles students open (a pickle, for the initialization
study), so the folder must be one that only you can write, as your home is.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import gradelab

from ..files import write_atomic

ENV = "GRADELAB_CACHE"
FOLDER = "bundle-data"
FORMAT = 1  # bump when the entry layout or the key changes meaning
KEEP = 4  # entries kept per file name: older ones come from code or libraries since replaced


@dataclass(frozen=True)
class CachedFile:
    """A file that is expensive to build, and what decides its bytes.

    ``build`` returns the file's bytes; it should import what it needs itself,
    so that a cache hit imports nothing heavy (the initialization study brings
    Numba and matplotlib). ``sources``: paths relative to the gradelab package,
    files or folders (every ``*.py`` in them), whose text decides the bytes.
    ``distributions``: installed packages whose versions do. ``check`` raises
    ValueError on bytes that are not a good file.
    """

    name: str
    build: Callable[[], bytes]
    sources: tuple[str, ...]
    distributions: tuple[str, ...] = ("numpy",)
    check: Callable[[bytes], None] | None = None


def cache_root() -> Path:
    """$GRADELAB_CACHE, else $XDG_CACHE_HOME/gradelab (when absolute, as the XDG spec asks), else ~/.cache/gradelab."""
    explicit = os.environ.get(ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "gradelab"


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _source_files(source: str) -> list[Path]:
    """The files one entry of ``sources`` names, in a stable order."""
    path = Path(gradelab.__file__).parent / source
    return sorted(path.glob("*.py")) if path.is_dir() else [path]


def source_digests(sources: tuple[str, ...]) -> dict[str, str]:
    """{path relative to the package: SHA-256 of its bytes, or "missing"} for every file ``sources`` names."""
    package = Path(gradelab.__file__).parent
    digests = {}
    for source in sources:
        for path in _source_files(source):
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:  # e.g. an install without sources: the versions still decide
                digest = "missing"
            digests[path.relative_to(package).as_posix()] = digest
    return digests


def cache_key(spec: CachedFile) -> str:
    """SHA-256 of everything that decides the file's bytes (see the module docstring)."""
    facts = {
        "format": FORMAT,
        "name": spec.name,
        "gradelab": gradelab.__version__,
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "distributions": {name: _version(name) for name in spec.distributions},
        "sources": source_digests(spec.sources),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def entry_path(spec: CachedFile) -> Path:
    """Where the cache keeps ``spec``'s file for the present code and libraries."""
    return cache_root() / FOLDER / f"{spec.name}.{cache_key(spec)[:32]}.entry"


def _verified(spec: CachedFile, raw: bytes) -> bytes | None:
    """The payload of an entry if its hash matches and ``spec.check`` accepts it; else None."""
    digest, newline, payload = raw.partition(b"\n")
    if not newline or digest != hashlib.sha256(payload).hexdigest().encode():
        return None
    try:
        if spec.check is not None:
            spec.check(payload)
    except ValueError:
        return None
    return payload


def read_entry(spec: CachedFile) -> bytes | None:
    """The cached bytes of ``spec``, or None when there is no good entry (missing, truncated, corrupted, refused)."""
    try:
        raw = entry_path(spec).read_bytes()
    except OSError:
        return None
    return _verified(spec, raw)


def _prune(path: Path, name: str) -> None:
    """Keep the KEEP newest entries of ``name``; the others were made by code or libraries since replaced."""

    def age(entry: Path) -> float:
        try:
            return -entry.stat().st_mtime
        except OSError:  # removed meanwhile by another gradelab
            return 0.0

    for old in sorted(path.parent.glob(f"{name}.*.entry"), key=age)[KEEP:]:
        if old != path:
            old.unlink(missing_ok=True)


def store_entry(spec: CachedFile, payload: bytes) -> bool:
    """Keep ``payload`` as ``spec``'s entry and read it back; returns whether a good entry is now there."""
    path = entry_path(spec)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    except OSError:  # read-only or full: the caller has the bytes, only the next build will pay again
        return False
    if read_entry(spec) != payload:
        path.unlink(missing_ok=True)  # a cache that does not give back what it was given must not be read later
        return False
    try:
        _prune(path, spec.name)
    except OSError:
        pass  # old entries left behind cost disk space, never a wrong file
    return True


def cached_bytes(spec: CachedFile) -> bytes:
    """``spec``'s bytes: from the cache when a good entry is there, else built, checked and kept."""
    payload = read_entry(spec)
    if payload is not None:
        return payload
    payload = spec.build()
    if spec.check is not None:
        spec.check(payload)  # a bad build is an error to report, not something to keep
    store_entry(spec, payload)
    return payload


def write_cached(spec: CachedFile, folder: Path, overwrite: bool = False) -> Path:
    """Write ``spec``'s file into ``folder`` (created if needed); refuse to replace it unless ``overwrite``."""
    path = Path(folder) / spec.name
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass --force to replace it")
    payload = cached_bytes(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, payload)
    return path
