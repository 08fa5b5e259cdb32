"""Hostile input: a clear message, a documented exit code, no traceback, no file harmed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from migrate_lint import engine
from migrate_lint.fix import fix_source
from migrate_lint.engine import Settings, lint_source, resolve_selection
from migrate_lint.rules import all_rules

ADD = "<?php\nSchema::table('tasks', function ($table) {\n    $table->string('priority');\n});\n"


def ml(*args, cwd, input=None):
    return subprocess.run([sys.executable, "-m", "migrate_lint", *map(str, args)], cwd=cwd,
                          capture_output=True, input=input)


def findings(proc):
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return json.loads(proc.stdout or b"[]")


def test_bom_crlf_mixed_endings_and_tabs(tmp_path):
    (tmp_path / "bom.php").write_bytes(b"\xef\xbb\xbf" + ADD.encode())
    (tmp_path / "crlf.php").write_bytes(ADD.replace("\n", "\r\n").encode())
    (tmp_path / "mixed.php").write_bytes(b"<?php\r\nSchema::table('t', function ($table) {\n"
                                         b"\t$table->string('a');\r\n});\n")
    proc = ml(".", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    got = sorted((f["path"], f["line"], f["column"]) for f in findings(proc))
    assert got == [("./bom.php", 3, 5), ("./crlf.php", 3, 5), ("./mixed.php", 3, 2)]


def test_zero_byte_and_open_tag_only_and_inline_html(tmp_path):
    (tmp_path / "empty.php").write_bytes(b"")
    (tmp_path / "tag.php").write_text("<?php")
    (tmp_path / "page.php").write_text("<html>\n<?php if ($x): ?><b>hi</b><?php endif; ?>\n</html>\n")
    proc = ml(".", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0 and findings(proc) == []


def test_binary_is_ml000_and_invalid_utf8_is_linted(tmp_path):
    (tmp_path / "bin.php").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "bad.php").write_bytes(b"<?php\n$x = '\xff\xfe';\nSchema::drop('\xff');\n")
    proc = ml(".", "--format", "json", cwd=tmp_path)
    got = {(f["path"], f["code"]): f["message"] for f in findings(proc)}
    assert set(got) == {("./bin.php", "ML000"), ("./bad.php", "ML004")}
    assert "binary" in got[("./bin.php", "ML000")]
    assert "'\ufffd'" in got[("./bad.php", "ML004")]


def test_five_megabyte_file(tmp_path):
    chunk = ("Schema::table('t', function ($table) {\n    if (! Schema::hasColumn('t', 'c')) {\n"
             "        $table->string('c');\n    }\n});\n")
    body = "<?php\n" + chunk * (5_000_000 // len(chunk)) + "Schema::drop('x');\n"
    (tmp_path / "big.php").write_text(body)
    proc = ml("big.php", "--format", "json", cwd=tmp_path)
    got = findings(proc)
    assert [f["code"] for f in got] == ["ML004"]
    assert got[0]["line"] == body.count("\n")


@pytest.mark.parametrize("shape", ["closures", "ifs"])
def test_ten_thousand_levels_of_nesting(tmp_path, shape):
    depth = 10_000
    if shape == "closures":
        inner = "Schema::table('t', function ($table) { $table->string('a'); });"
        text = "<?php\n" + "f(function () {\n" * depth + inner + "\n" + "});\n" * depth
    else:
        inner = "Schema::table('t', function ($table) { $table->string('a'); });"
        text = "<?php\n" + "if ($x) {\n" * depth + inner + "\n" + "}\n" * depth
    path = tmp_path / "deep.php"
    path.write_text(text)
    proc = ml("deep.php", "--format", "json", cwd=tmp_path)
    assert [f["code"] for f in findings(proc)] == ["ML002"]
    fixed = ml("deep.php", "--fix", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr.decode()[-500:]
    assert "if (! Schema::hasColumn('t', 'a'))" in path.read_text()


def test_unreadable_file_is_reported_and_others_still_linted(tmp_path, monkeypatch):
    # Tests run as root, which reads any file whatever its mode: simulate the refusal where
    # the engine opens files, as the kernel would report it to a normal user.
    (tmp_path / "secret.php").write_text(ADD)
    (tmp_path / "ok.php").write_text(ADD)
    real_open = open

    def guarded_open(path, *a, **kw):
        if str(path).endswith("secret.php"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **kw)

    monkeypatch.setattr("builtins.open", guarded_open)
    settings = Settings(enabled=resolve_selection(None, [], all_rules()))
    denied = engine.lint_path(str(tmp_path / "secret.php"), settings)
    assert denied.error == "Permission denied" and denied.findings == []
    assert engine.lint_path(str(tmp_path / "ok.php"), settings).findings


def test_symlink_loop_directory_named_php_and_missing_path(tmp_path):
    os.symlink("loop-b.php", tmp_path / "loop-a.php")
    os.symlink("loop-a.php", tmp_path / "loop-b.php")
    os.symlink(".", tmp_path / "self")  # a directory loop: not followed
    (tmp_path / "dir.php").mkdir()
    (tmp_path / "dir.php" / "2024_01_01_000000_inner.php").write_text(ADD)
    proc = ml(".", "missing.php", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "missing.php: no such file or directory" in err
    assert "loop-a.php" in err and "Traceback" not in err
    assert [f["path"] for f in findings(proc)] == ["./dir.php/2024_01_01_000000_inner.php"]


def test_paths_with_spaces_and_non_ascii(tmp_path):
    d = tmp_path / "my app" / "migrations été"
    d.mkdir(parents=True)
    (d / "2024_01_01_000000_añadir.php").write_text(ADD)
    proc = ml(d, "--format", "json", cwd=tmp_path)
    [f] = findings(proc)
    assert f["path"].endswith("migrations été/2024_01_01_000000_añadir.php")
    assert ml(d, "--fix", cwd=tmp_path).returncode == 0


def test_stdin_with_a_filename(tmp_path):
    proc = ml("-", "--stdin-filename", "database/migrations/x.php", "--format", "json",
              cwd=tmp_path, input=ADD.encode())
    [f] = findings(proc)
    assert (f["path"], f["line"]) == ("database/migrations/x.php", 3)


def _fixed_text() -> bytes:
    settings = Settings(enabled=resolve_selection(None, [], all_rules()))
    result = lint_source("m.php", ADD.encode(), settings, keep_model=True)
    return fix_source(result, settings)[0]


def _tree(tmp_path, n):
    d = tmp_path / "database" / "migrations"
    d.mkdir(parents=True)
    for i in range(n):
        (d / f"2024_01_01_{i:06d}_m.php").write_text(ADD)
    return d


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_fix_leaves_each_file_untouched_or_fully_fixed(tmp_path, sig):
    d = _tree(tmp_path, 400)
    proc = subprocess.Popen([sys.executable, "-m", "migrate_lint", "--fix", str(d)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.8)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    fixed = _fixed_text()
    states = {p.read_bytes() for p in d.iterdir() if p.suffix == ".php"}
    assert states <= {ADD.encode(), fixed}
    assert not [p for p in d.iterdir() if p.name.startswith(".migrate-lint-")]


def test_two_fix_runs_at_once_do_not_corrupt_files(tmp_path):
    d = _tree(tmp_path, 200)
    procs = [subprocess.Popen([sys.executable, "-m", "migrate_lint", "--fix", "--no-cache", str(d)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(2)]
    for p in procs:
        p.wait(timeout=120)
    fixed = _fixed_text()
    assert {p.read_bytes() for p in d.iterdir() if p.suffix == ".php"} == {fixed}


def test_control_characters_never_reach_the_terminal(tmp_path):
    """A NUL, clear-screen, a window title and a bell, in a file name, a string and a line."""
    hostile = "\x1b[2J\x1b]0;owned\x07"
    name = "2024_01_01_000000_x\x1b[31m.php"
    (tmp_path / "2024_01_02_000000_binary.php").write_bytes(b"<?php\x00\x1b[2J\n\x1b]0;t\x07")
    (tmp_path / name).write_bytes(
        ("<?php\nSchema::table('t\x1b[2J', function ($table) {\n"
         f"    $table->string('c'); // {hostile}\n"
         f"\t$table->string('d{hostile}');\n}});\n").encode())
    proc = ml(".", "--color", "never", cwd=tmp_path)
    out = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 1
    assert not any(ch in out for ch in "\x00\x07\x1b"), repr(out)
    assert "\\x1b[2J" in out and "x\\x1b[31m.php" in out
    lines = out.splitlines()
    # The carets still sit under the call on an escaped, tab-indented line.
    for i, line in enumerate(lines):
        if line.startswith("    4 | "):
            source, carets = line[8:], lines[i + 1][8:]
            assert source[len(carets) - len(carets.lstrip()):].startswith("$table->string(")
