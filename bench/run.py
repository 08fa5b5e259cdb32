"""Benchmark: `python bench/run.py [--files 3000] [--repeat 5] [--corpus DIR]`.

Times whole commands (median of several runs, wall clock, peak RSS from the kernel's own
accounting of each finished process) on a deterministic synthetic corpus, and prints the
figures with the peer each is compared to:

  1. migrate-lint, all rules, cold (--no-cache)        vs  ast-grep scan with one rule
  2. migrate-lint, warm (cache filled)                 vs  ast-grep scan with one rule
  3. reading + tree-sitter-parsing every file, one Python process (the floor)
  4. one file, as pre-commit runs it                   vs  python -c "import tree_sitter, tree_sitter_php"
  5. the language server: one edited file in a 400-file folder (bench/lsp.py)
                                                       vs  migrate-lint FILE, warm cache
  6. replaying 5,000 migrations (`migrate-lint schema`)
  7. peak RSS of a one-process run on 3,000 and 30,000 files
  8. one 5 MB migration with 57,000 findings: -q, default text and --fix (linear in findings)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import big_migration, generate  # noqa: E402

FLOOR = ("import sys, pathlib, tree_sitter, tree_sitter_php\n"
         "p = tree_sitter.Parser(tree_sitter.Language(tree_sitter_php.language_php()))\n"
         "for f in sorted(pathlib.Path(sys.argv[1]).rglob('*.php')): p.parse(f.read_bytes())\n")


def measure(cmd, repeat: int, cwd=None):
    """(median wall seconds, peak RSS in MB) over `repeat` runs after one warm-up."""
    walls, rss = [], []
    for i in range(repeat + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if i:  # the first run warms the page cache
            walls.append(elapsed)
            rss.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(rss)


def ml(*args):
    return [sys.executable, "-m", "migrate_lint", *map(str, args), "-q", "--exit-zero"]


def row(name, seconds, peer=None, peer_name=""):
    ratio = f"{seconds / peer:6.2f}x {peer_name}" if peer else ""
    return f"{name:<52} {seconds * 1000:9.0f} ms  {ratio}"


def lsp_rows(work: Path, repeat: int) -> None:
    """The server over stdio (bench/lsp.py) next to the CLI run on the same file, warm."""
    try:
        import lsp
    except ImportError:
        print("pygls not installed (pip install '.[server]'): no server figures")
        return
    folder = generate(work / "lsp400", 400)
    r = lsp.measure(folder, 30)
    one = sorted(folder.glob("*.php"))[200]
    cfg = work / "lsp-warm.toml"
    cfg.write_text(f'cache-dir = "{work / "cache-lsp"}"\n')
    subprocess.run(ml(one, "--config", cfg), capture_output=True)
    cli, _ = measure(ml(one, "--config", cfg), repeat * 2)
    print(row("migrate-lint FILE, warm cache (the peer)", cli))
    print(row("server: didOpen -> diagnostics, first run", r["first"]))
    print(row("server: one edit -> diagnostics, median", r["median"], cli, "CLI FILE warm"))
    print(row("server: one edit -> diagnostics, p90", r["p90"], cli, "CLI FILE warm"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", help="also time a real corpus directory")
    parser.add_argument("--skip-rss", action="store_true", help="skip the 30,000-file RSS runs")
    args = parser.parse_args(argv)
    ast_grep = shutil.which("ast-grep")
    work = Path(tempfile.mkdtemp(prefix="migrate-lint-bench-"))
    try:
        corpus = generate(work / "synthetic", args.files)
        targets = [("synthetic", corpus)]
        if args.corpus:
            targets.append(("corpus", Path(args.corpus)))
        print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
              f"median of {args.repeat} runs after a warm-up")
        for label, target in targets:
            n = sum(1 for _ in target.rglob("*.php"))
            print(f"\n== {label}: {n} files ({target})")
            peer = None
            if ast_grep:
                peer, _ = measure([ast_grep, "scan", "--rule", str(HERE / "astgrep-rule.yml"),
                                   str(target)], args.repeat)
                print(row("ast-grep scan, one rule", peer))
            else:
                print("ast-grep not installed (pip install '.[bench]'): no peer figure")
            cache = work / f"cache-{label}"
            cold, cold_rss = measure(ml(target, "--no-cache"), args.repeat)
            print(row("migrate-lint, all rules, cold (--no-cache)", cold, peer, "ast-grep"))
            one_proc, _ = measure(ml(target, "--no-cache", "-j", "1"), args.repeat)
            print(row("migrate-lint, all rules, cold, one process (-j 1)", one_proc, peer, "ast-grep"))
            (work / f"{label}.toml").write_text(f'cache-dir = "{cache}"\n')
            subprocess.run(ml(target, "--config", work / f"{label}.toml"), capture_output=True)
            warm, _ = measure(ml(target, "--config", work / f"{label}.toml"), args.repeat)
            print(row("migrate-lint, warm (cache filled)", warm, peer, "ast-grep"))
            floor, _ = measure([sys.executable, "-c", FLOOR, str(target)], args.repeat)
            print(row("floor: read + tree-sitter parse, one process", floor))
            print(row("migrate-lint cold vs the floor", cold, floor, "floor"))
        one = sorted(corpus.glob("*.php"))[0]
        import_floor, _ = measure([sys.executable, "-c", "import tree_sitter, tree_sitter_php"],
                                  args.repeat * 2)
        single, single_rss = measure(ml(one, "--no-cache"), args.repeat * 2)
        print("\n== one file, as pre-commit runs it")
        print(row('python -c "import tree_sitter, tree_sitter_php"', import_floor))
        print(row("migrate-lint FILE (replay reads all 3,000 files)", single, import_floor,
                  "import floor") + f"   peak RSS {single_rss:.0f} MB")
        warm_cfg = work / "one-warm.toml"
        warm_cfg.write_text(f'cache-dir = "{work / "cache-one"}"\n')
        subprocess.run(ml(one, "--config", warm_cfg), capture_output=True)
        warm_one, _ = measure(ml(one, "--config", warm_cfg), args.repeat * 2)
        print(row("migrate-lint FILE, warm cache", warm_one, import_floor, "import floor"))
        rules_only, _ = measure(ml(one, "--no-cache", "--ignore", "ML1"), args.repeat * 2)
        print(row("migrate-lint FILE, file rules only (--ignore ML1)", rules_only, import_floor,
                  "import floor"))
        print("\n== language server (issue 15): one edited file in a 400-file folder")
        lsp_rows(work, args.repeat)
        print("\n== replay (issue 5): the whole history of 5,000 migrations")
        history = generate(work / "history", 5000)
        schema_s, _ = measure([sys.executable, "-m", "migrate_lint", "schema", str(history)],
                              max(1, args.repeat // 2))
        print(row("migrate-lint schema, 5,000 migrations", schema_s))
        print("\n== one 5 MB migration, 57,000 findings (issue 12)")
        big = big_migration(work / "big" / "2024_01_01_000000_big.php")
        for name, cmd in (("-q", ml(big, "--no-cache")),
                          ("default text", [sys.executable, "-m", "migrate_lint", str(big),
                                            "--no-cache", "--exit-zero"])):
            seconds, _ = measure(cmd, 1)
            print(row(f"migrate-lint BIG {name}", seconds))
        pristine = big.read_bytes()
        fix_walls = []
        for _ in range(2):
            big.write_bytes(pristine)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "migrate_lint", str(big), "--no-cache",
                            "--fix", "--exit-zero"], capture_output=True)
            fix_walls.append(time.perf_counter() - start)
        print(row("migrate-lint BIG --fix", min(fix_walls)))
        print("\n== peak RSS, one process (-j 1, --no-cache)")
        sizes = [3000] if args.skip_rss else [3000, 30000]
        for size in sizes:
            target = generate(work / f"rss{size}", size)
            seconds, rss = measure(ml(target, "--no-cache", "-j", "1", "--ignore", "ML1"), 1)
            print(f"{size:>6} files: {rss:6.0f} MB peak RSS, {seconds:6.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
