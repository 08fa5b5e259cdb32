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

import marshal
import os
import stat
import time

DIRNAME = ".migrate-lint-cache"
FILENAME = "cache.bin"
MAGIC = b"migrate-lint cache 4\n"
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
    import tempfile

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
    from hashlib import blake2b  # lazy, as hmac: a --no-cache run never hashes

    return blake2b(data, digest_size=16).digest()


def stamp(path: str, st=None) -> tuple | None:
    """What a later run compares to tell that a path did not change: (size, mtime_ns,
    ctime_ns, type); () when it does not exist; None when it cannot be told."""
    if st is None:
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return ()
        except OSError:
            return None
    kind = stat.S_IFMT(st.st_mode)
    return (st.st_size if kind == stat.S_IFREG else -1, st.st_mtime_ns, st.st_ctime_ns, kind)


class Store:
    """The cache file: named sections of marshalled data, each with its own MAC.

    Layout: MAGIC, the table's length (8 bytes), the table's MAC, the table (a line per section:
    name, length, MAC), then the sections. The table is authenticated before it is read, and a
    section before it is unmarshalled, which happens on first use: a run pays only for the
    sections it needs, and one it did not change is written back as it was read. Read once,
    written once (atomically) and only when something changed; two runs at once: the last
    writer wins, nothing breaks.
    """

    KEEP = {"findings:": MAX_CONFIGS, "replay:": MAX_CONFIGS, "summaries:": 2, "report:": 8}

    def __init__(self, directory: str):
        import hmac  # here, not at the top: a --no-cache run does not load OpenSSL

        self._hmac = hmac
        self.dir = directory
        self.path = os.path.join(directory, FILENAME)
        self.started_ns = time.time_ns()  # before any file is looked at: the racy rule's clock
        self.key = user_key()
        self._fd: int | None = None  # the file read, open until saved
        self._raw: dict[str, tuple[int, int, bytes]] = {}  # name -> (offset, length, mac)
        self._decoded: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self.files: Files | None = None  # see files_of()
        # What this run's report depends on (lint/memo.py): path -> stamp before first use;
        # None once something could not be stamped.
        self.deps: dict[str, tuple] | None = {}
        if self.key is not None:
            self._raw = self._load()

    @property
    def usable(self) -> bool:
        return self.key is not None

    def _load(self) -> dict:
        """The table of contents, authenticated; sections are read when first used."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return {}
        try:
            total = os.fstat(fd).st_size
            head = len(MAGIC) + 8 + MAC_BYTES
            start = os.pread(fd, head, 0)
            if total > MAX_BYTES or len(start) < head or start[:len(MAGIC)] != MAGIC:
                raise ValueError
            size = int.from_bytes(start[len(MAGIC):len(MAGIC) + 8], "big")
            table = os.pread(fd, size, head) if head + size <= total else b""
            if len(table) != size or not self._hmac.compare_digest(
                    start[len(MAGIC) + 8:], self._mac(start[:len(MAGIC) + 8], table)):
                raise ValueError  # not written with this user's key: ignored as a whole
        except (OSError, ValueError):
            os.close(fd)
            return {}
        self._fd = fd
        out, at = {}, head + size
        for line in table.decode("ascii").splitlines():
            name, length, mac = line.split("\t")
            out[name] = (at, int(length), bytes.fromhex(mac))
            at += int(length)
        return out

    def _read_section(self, name: str) -> bytes | None:
        at, length, _ = self._raw[name]
        try:
            data = os.pread(self._fd, length, at)
        except OSError:
            return None
        return data if len(data) == length else None

    def _mac(self, *parts) -> bytes:
        h = self._hmac.new(self.key, digestmod="sha256")
        for part in parts:
            h.update(part)
        return h.digest()

    def section(self, name: str) -> dict:
        """A section's dict (empty when absent or not authentic); changes are saved after
        `touch(name)`."""
        value = self._decoded.get(name)
        if value is None:
            value = {}
            data = self._read_section(name) if name in self._raw else None
            if data is not None and self._hmac.compare_digest(
                    self._raw[name][2], self._mac(name.encode(), b"\0", data)):
                try:
                    value = marshal.loads(data)
                except (EOFError, ValueError, TypeError):
                    value = {}
            if not isinstance(value, dict):
                value = {}
            self._decoded[name] = value
        return value

    def touch(self, name: str) -> None:
        self._dirty.add(name)

    def depend(self, path: str, st=None) -> None:
        """Record that this run's result depends on path (a file's content, a directory's
        listing, or its absence), stamped now, before it is used."""
        if self.deps is not None and path not in self.deps:
            mark = stamp(path, st)
            if mark is None:
                self.deps = None
            else:
                self.deps[path] = mark

    def save(self) -> None:
        if self.key is None or not self._dirty or not ensure_dir(self.dir):
            return
        # Oldest first: sections this run did not use, then those it read, then those it wrote.
        order = [n for n in self._raw if n not in self._decoded]
        order += [n for n in self._decoded if n not in self._dirty] + list(self._dirty)
        sections = []
        for name in order:
            if name in self._dirty:
                value = self._decoded.get(name, {})
                if len(value) > MAX_FILES:
                    value = dict(list(value.items())[-MAX_FILES:])
                try:
                    data = marshal.dumps(value)
                except ValueError:
                    continue  # something marshal cannot hold: that section is not cached
                sections.append((name, data, self._mac(name.encode(), b"\0", data)))
            elif name in self._raw:
                data = self._read_section(name)  # as it was read: its MAC still holds
                if data is not None:
                    sections.append((name, data, self._raw[name][2]))
        for prefix, keep in self.KEEP.items():
            mine = [s for s in sections if s[0].startswith(prefix)]
            for dropped in mine[:max(0, len(mine) - keep)]:
                sections.remove(dropped)
        table = "".join(f"{n}\t{len(d)}\t{m.hex()}\n" for n, d, m in sections).encode("ascii")
        size = len(table).to_bytes(8, "big")
        try:
            # As tempfile.mkstemp (0600, never an existing name) without importing tempfile,
            # which costs a pre-commit run more than writing the file.
            tmp = os.path.join(self.dir, f".cache-{os.getpid()}-{os.urandom(6).hex()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(MAGIC + size + self._mac(MAGIC + size, table) + table)
                    for _, data, _ in sections:
                        fh.write(data)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass  # a cache that cannot be written only costs time
        self._dirty.clear()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._raw = self._load()  # the file just written (decoded sections stay as they are)


class Files:
    """Content hashes of source files, by stat when that is safe, else by reading them.

    The "files" section maps an absolute path to (size, mtime_ns, ctime_ns, digest,
    checked_ns): the digest of the content that had that size and times when checked. An entry
    is trusted without reading when both times are older than its check by more than RACY_NS
    (ctime also moves on chmod: a file made unreadable is read, and fails, again).
    """

    def __init__(self, store: Store | None):
        self.store = store
        self.entries = store.section("files") if store is not None else {}
        self.now = store.started_ns if store is not None else time.time_ns()
        self.cwd = os.getcwd()
        self.seen: dict[str, bytes] = {}  # path -> digest, this run
        self.keys: dict[str, str] = {}  # path -> absolute path

    def key(self, path: str) -> str:
        """The absolute path (os.path.abspath without asking for the cwd each time)."""
        key = self.keys.get(path)
        if key is None:
            key = self.keys[path] = os.path.normpath(os.path.join(self.cwd, path))
        return key

    def lookup(self, path: str) -> tuple[bytes | None, bytes | None, str | None]:
        """(digest, data, error): data only when the file had to be read."""
        known = self.seen.get(path)
        if known is not None:
            return known, None, None
        try:
            st = os.stat(path)
        except OSError:
            return self._read(path, None)
        entry = self.entries.get(self.key(path))
        if entry is not None and entry[0] == st.st_size and entry[1] == st.st_mtime_ns \
                and entry[2] == st.st_ctime_ns \
                and (entry[4] == self.now or max(entry[1], entry[2]) < entry[4] - RACY_NS):
            self.seen[path] = entry[3]
            self.store.depend(path, st)
            return entry[3], None, None
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

        if self.store is not None:
            self.store.depend(path, st)
        data, error = read(path)  # after the stat: a write in between changes the mtime
        if data is None:
            return None, None, error
        if self.store is None:
            return b"", data, None  # no cache: nothing to key
        d = self.seen[path] = digest(data)
        if st is not None:
            key = self.key(path)
            old = self.entries.pop(key, None)
            new = self.entries[key] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, d, self.now)
            racy_before = old is not None and max(old[1], old[2]) >= old[4] - RACY_NS
            trusted_now = max(new[1], new[2]) < self.now - RACY_NS
            if old is None or old[:4] != new[:4] or (racy_before and trusted_now):
                self.store.touch("files")  # new, changed, or no longer racy
        return d, data, None


def files_of(store: Store | None) -> Files:
    """The store's one Files (its lookups are remembered for the run)."""
    if store is None:
        return Files(None)
    if store.files is None:
        store.files = Files(store)
    return store.files


_CODE_KEY: list[str] = []


def code_key() -> str:
    """migrate-lint's version and its own files (rules, templates, engine) as installed, the
    Python version and the parsing libraries: an edited rule in a development checkout or an
    upgraded tree-sitter-php invalidates the cache like a new release does."""
    if _CODE_KEY:
        return _CODE_KEY[0]
    import sys
    from hashlib import blake2b

    from migrate_lint import __file__ as init, __version__
    from migrate_lint import rules

    h = blake2b(f"{__version__}\0{sys.version}".encode(), digest_size=16)
    dirs = [(os.path.dirname(init), True), *((d, True) for d in rules.__path__)]
    for name in ("tree_sitter", "tree_sitter_php", "sqlglot"):
        # Where the import system finds the package (first on sys.path), without importing it.
        found = next((d for d in (os.path.join(e or ".", name) for e in sys.path)
                      if os.path.isfile(os.path.join(d, "__init__.py"))), None)
        if found is not None:
            dirs.append((found, False))
    seen = set()
    while dirs:
        d, deep = dirs.pop()
        if d in seen:
            continue
        seen.add(d)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if deep and e.name != "__pycache__":
                    dirs.append((e.path, True))
            elif e.name.endswith((".py", ".j2", ".php", ".so", ".pyd", ".css", ".js")):
                st = e.stat()
                h.update(f"{e.path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    _CODE_KEY.append(h.hexdigest())
    return _CODE_KEY[0]


def settings_key(settings, template_dir=None) -> str:
    """Everything a file's findings depend on besides its path and bytes: the code, the
    configuration (rules, per-file ignores, check-down, root), the Laravel version, the
    database engine and the fix templates' content."""
    ctx = settings.rule_ctx
    parts = [code_key(), ",".join(sorted(settings.enabled)), repr(ctx.check_down),
             repr(ctx.laravel_version), repr(ctx.database), repr(ctx.database_version),
             repr(sorted(ctx.options.items())),
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
    from hashlib import blake2b

    return blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


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
    return os.path.join(str(_root(cfg)), DIRNAME)


def _root(cfg) -> str:
    return str(cfg.root) if getattr(cfg, "path", None) else os.getcwd()


def escapes_project(directory: str, cfg) -> bool:
    """True when the cache directory resolves outside the project: a checkout whose
    `.migrate-lint-cache` is a symlink elsewhere must not make us write there."""
    from pathlib import Path

    return not Path(directory).resolve().is_relative_to(Path(_root(cfg)).resolve())


def open_store(directory: str | None) -> Store | None:
    """The cache of a directory, or None when there is no usable key."""
    if not directory:
        return None
    store = Store(directory)
    return store if store.usable else None
