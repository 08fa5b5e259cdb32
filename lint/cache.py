"""The cache: one file per cache directory (`.migrate-lint-cache/cache.bin` or the config's
`cache-dir`), holding each file's findings, the replay's per-file summaries and the replay's
results, so that a warm run reads one file and re-reads no source that did not change.

A cache never changes a result. The file is authenticated with an HMAC whose key never lives in
the repository: it is made on first use in the user's cache directory
(`$XDG_CACHE_HOME/migrate-lint/key`, mode 0600). A cache that arrives with a repository
(committed, copied from another machine, restored from a CI cache another branch wrote) or
that was edited, truncated or emptied does not authenticate and is ignored as a whole; the MAC
is checked before anything is unmarshalled. Without a usable key there is no cache at all.

Files are recognised by path, size and mtime_ns; their content hash is checked instead when
they were modified close to the run that recorded them (git's "racily clean" rule), since a
write in the same clock tick as our read keeps size and mtime.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import stat
import tempfile
import time

DIRNAME = ".migrate-lint-cache"
FILENAME = "cache.bin"
MAGIC = b"migrate-lint cache 2\n"
KEY_BYTES = 32
MAC_BYTES = 32
MAX_BYTES = 1 << 30  # a larger file is not ours
RACY_NS = 2_000_000_000  # coarse file-system clocks (FAT: 2 s) and the kernel's clock lag
MAX_FILES = 200_000  # entries per section; the oldest go first
MAX_CONFIGS = 4  # findings sections kept for other configurations (another --select)


def user_key() -> bytes | None:
    """The HMAC key from the user's cache directory, made on first use; None when unusable."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    directory = os.path.join(base, "migrate-lint")
    path = os.path.join(directory, "key")
    key = _read_key(path)
    if key is not None:
        return key
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".key-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(KEY_BYTES))
            os.link(tmp, path)  # atomic and never replaces a key another run just made
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError:
        return None
    return _read_key(path)


def _read_key(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        # Like ssh with its keys: a key others could read or replace authenticates nothing.
        if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077 or st.st_size != KEY_BYTES \
                or (hasattr(os, "geteuid") and st.st_uid != os.geteuid()):
            return None
        key = os.read(fd, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == KEY_BYTES else None


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class Store:
    """The cache file: named sections of marshalled data under one MAC.

    Sections are decoded on first use, so a run reads only what it needs; a section nobody
    touched is written back as the bytes it was read as. Read once, written once (atomically)
    and only when something changed; two runs at once: the last writer wins, nothing breaks.
    """

    def __init__(self, directory: str):
        self.dir = directory
        self.path = os.path.join(directory, FILENAME)
        self.started_ns = time.time_ns()  # before any file is looked at: the racy rule's clock
        self.key = user_key()
        self._raw: dict[str, bytes] = {}
        self._decoded: dict[str, object] = {}
        self._dirty: set[str] = set()
        if self.key is not None:
            self._raw = self._load()

    @property
    def usable(self) -> bool:
        return self.key is not None

    def _load(self) -> dict[str, bytes]:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return {}
        try:
            with os.fdopen(fd, "rb") as fh:
                if os.fstat(fh.fileno()).st_size > MAX_BYTES:
                    return {}
                blob = fh.read()
        except OSError:
            return {}
        head = len(MAGIC)
        if blob[:head] != MAGIC or len(blob) < head + MAC_BYTES:
            return {}
        mac, body = blob[head:head + MAC_BYTES], blob[head + MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(body)):
            return {}  # not written with this user's key: never unmarshalled
        try:
            sections = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return {}
        if not isinstance(sections, dict) or not all(
                isinstance(k, str) and isinstance(v, bytes) for k, v in sections.items()):
            return {}
        return sections

    def _mac(self, body: bytes) -> bytes:
        return hmac.digest(self.key, MAGIC + body, "sha256")

    def section(self, name: str) -> dict:
        """A section's dict (empty when absent); changes are saved after `touch(name)`."""
        value = self._decoded.get(name)
        if value is None:
            raw = self._raw.get(name)
            try:
                value = marshal.loads(raw) if raw is not None else {}
            except (EOFError, ValueError, TypeError):
                value = {}
            if not isinstance(value, dict):
                value = {}
            self._decoded[name] = value
        return value

    def touch(self, name: str) -> None:
        self._dirty.add(name)

    def drop_sections(self, prefix: str, keep: str) -> None:
        """Keep the newest MAX_CONFIGS sections named prefix*, `keep` among them."""
        names = [n for n in self._raw if n.startswith(prefix) and n != keep]
        for name in names[:max(0, len(names) - (MAX_CONFIGS - 1))]:
            self._raw.pop(name, None)
            self._decoded.pop(name, None)
            self._dirty.add("")

    def save(self) -> None:
        if self.key is None or not self._dirty or not ensure_dir(self.dir):
            return
        out: dict[str, bytes] = {}
        for name, raw in self._raw.items():
            if name not in self._dirty:
                out[name] = raw
        for name in self._dirty:
            if not name:
                continue
            value = self._decoded.get(name, {})
            if len(value) > MAX_FILES:
                value = dict(list(value.items())[-MAX_FILES:])
            try:
                out.pop(name, None)
                out[name] = marshal.dumps(value)  # the newest last: dropped last
            except ValueError:
                continue  # something marshal cannot hold: that section is not cached
        body = marshal.dumps(out)
        try:
            fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(MAGIC + self._mac(body) + body)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass  # a cache that cannot be written only costs time
        self._dirty.clear()


class Files:
    """Content hashes of source files, by stat when that is safe, else by reading them.

    The "files" section maps an absolute path to (size, mtime_ns, digest, checked_ns): the
    digest of the content that had that size and mtime when checked. An entry is trusted
    without reading when its mtime is older than its check by more than RACY_NS.
    """

    def __init__(self, store: Store | None):
        self.store = store
        self.entries = store.section("files") if store is not None else {}
        self.now = store.started_ns if store is not None else time.time_ns()

    def lookup(self, path: str) -> tuple[bytes | None, bytes | None, str | None]:
        """(digest, data, error): data only when the file had to be read."""
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is not None:
            entry = self.entries.get(os.path.abspath(path))
            if entry is not None and entry[0] == st.st_size and entry[1] == st.st_mtime_ns \
                    and (entry[3] == self.now or entry[1] < entry[3] - RACY_NS):
                return entry[2], None, None
        return self._read(path, st)

    def read(self, path: str) -> tuple[bytes | None, bytes | None, str | None]:
        """(digest, data, error) of the file as read now."""
        try:
            st = os.stat(path)
        except OSError:
            st = None
        return self._read(path, st)

    def _read(self, path, st):
        from migrate_lint.engine import read

        data, error = read(path)  # after the stat: a write in between changes the mtime
        if data is None:
            return None, None, error
        d = digest(data)
        if st is not None and self.store is not None:
            key = os.path.abspath(path)
            old = self.entries.pop(key, None)
            self.entries[key] = (st.st_size, st.st_mtime_ns, d, self.now)
            if old is None or old[:3] != (st.st_size, st.st_mtime_ns, d) \
                    or (old[1] >= old[3] - RACY_NS and st.st_mtime_ns < self.now - RACY_NS):
                self.store.touch("files")  # new, changed, or no longer racy
        return d, data, None


def code_key() -> str:
    """migrate-lint's version and its own files (rules, templates, engine) as installed: an
    edited rule in a development checkout invalidates the cache like a new release does."""
    import importlib.util

    from migrate_lint import __file__ as init, __version__

    dirs = [os.path.dirname(init)]
    spec = importlib.util.find_spec("migrate_lint.rules")  # without running the rules
    dirs += list(spec.submodule_search_locations or []) if spec else []
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    seen = set()
    while dirs:
        d = dirs.pop()
        if d in seen:
            continue
        seen.add(d)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if e.name != "__pycache__":
                    dirs.append(e.path)
            elif e.name.endswith((".py", ".j2", ".php")):
                st = e.stat()
                h.update(f"{e.path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def settings_key(settings, template_dir=None) -> str:
    """Everything a file's findings depend on besides its path and bytes: the code, the
    configuration (rules, per-file ignores, check-down, root), the Laravel version, the
    database engine and the fix templates' content."""
    ctx = settings.rule_ctx
    parts = [code_key(), ",".join(sorted(settings.enabled)), repr(ctx.check_down),
             repr(ctx.laravel_version), repr(ctx.database), repr(sorted(ctx.options.items())),
             repr(sorted((k, sorted(v)) for k, v in settings.per_file_ignores.items())),
             str(settings.root), str(template_dir or "")]
    if template_dir:
        try:
            for e in sorted(os.scandir(template_dir), key=lambda e: e.name):
                if e.is_file():
                    with open(e.path, "rb") as fh:
                        parts.append(e.name + "\0" + digest(fh.read()).hex())
        except OSError:
            parts.append("unreadable")
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def ensure_dir(directory: str) -> bool:
    """Create the cache directory with a .gitignore that keeps it out of commits. A cache
    directory that is a symbolic link (one a repository could carry) is not written to."""
    try:
        os.makedirs(directory, exist_ok=True)
        if os.path.islink(directory) or not os.path.isdir(directory):
            return False
        ignore = os.path.join(directory, ".gitignore")
        if not os.path.lexists(ignore):
            with open(ignore, "w") as fh:
                fh.write("# created by migrate-lint\n*\n")
        return True
    except OSError:
        return False


def default_dir(cfg) -> str:
    if getattr(cfg, "cache_dir", None):
        return str(cfg.cache_dir)
    root = cfg.root if getattr(cfg, "path", None) else os.getcwd()
    return os.path.join(str(root), DIRNAME)


def open_store(directory: str | None) -> Store | None:
    """The cache of a directory, or None when there is no usable key."""
    if not directory:
        return None
    store = Store(directory)
    return store if store.usable else None
