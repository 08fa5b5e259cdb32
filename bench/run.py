"""Benchmark: `python bench/run.py [--corpus DIR] [--repeat 10] [--skip-rss]`.

Prints the four rows of the speed targets, each as a ratio against its peer timed in the same
run, A and B alternating (A B A B ...) so that a machine that slows down mid-run slows both; the
ratio is the median of the per-pair ratios. Wall clock per whole process, CPU (user + sys) and
peak RSS from the kernel's accounting of the finished child (os.wait4).

  1. cold, whole corpus (--no-cache)                vs ast-grep scan with one rule
  2. warm, whole corpus (cache present)             vs ast-grep scan with one rule
  3. one file in a 60-migration folder, no cache    vs python -c "import tree_sitter, ..._php"
  4. one changed file in a 400-migration app, cache present (a pre-commit run), same floor
  5. peak RSS of one process (-j 1) on 3,000 and 30,000 files

Under rows 3 and 4, what they cannot avoid, against the same floor: the imports a one-file
run needs, and (row 3, no cache) those imports plus parsing every file of the folder.

Beside them: the language server on one edited file in a 400-file folder (bench/lsp.py)
next to the CLI on that file with its cache; replaying 5,000 migrations (`migrate-lint
schema`); one 5 MB migration with 57,000 findings (-q, default text, --fix).

The corpus is synthetic (bench/generate.py) unless --corpus names a directory of real
migrations; rows 3 and 4 then use its apps with the nearest number of migrations (copied to a
scratch directory, since row 4 edits a file before each run). Bytecode is compiled first, as
`pip install` does, so an editable checkout is not timed compiling itself.
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

FLOOR = [sys.executable, "-c", "import tree_sitter, tree_sitter_php"]
PARSE = ("import sys, pathlib, tree_sitter, tree_sitter_php\n"
         "p = tree_sitter.Parser(tree_sitter.Language(tree_sitter_php.language_php()))\n"
         "for f in sorted(pathlib.Path(sys.argv[1]).rglob('*.php')): p.parse(f.read_bytes())\n")
TARGETS = {"cold": 1.5, "warm": 0.25, "one file, no cache": 2.0, "one changed file, cache": 1.5}
# The least a one-file run does before linting: import what it runs (the model, every rule,
# the replay, the text report), and, without a cache, parse every migration of the folder
# (each may change what the file finds). Timed against the same floor, they show how much of
# the target is left for the work itself.
IMPORTS = ("import tree_sitter, tree_sitter_php\n"
           "import migrate_lint.runner, migrate_lint.model, migrate_lint.replay.fold\n"
           "import migrate_lint.replay.history, migrate_lint.replay.summaries\n"
           "import migrate_lint.replay.relevant, migrate_lint.report.text, migrate_lint.suppress\n"
           "from migrate_lint import rules; rules.all_rules()\n")
IMPORTS_AND_PARSE = IMPORTS + (
    "import sys, pathlib\nfrom migrate_lint import parse\n"
    "for f in sorted(pathlib.Path(sys.argv[1]).glob('*.php')): parse.parse(f.read_bytes())\n")


def run_once(cmd, cwd=None, env=None):
    """(wall seconds, cpu seconds, peak RSS MB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def paired(a, b, repeat, setup=None, cwd=None, env=None):
    """Medians of A and B (wall, cpu) and of the per-pair wall ratio A/B, after a warm-up."""
    runs_a, runs_b, ratios = [], [], []
    for i in range(repeat + 1):
        if setup:
            setup()
        ra = run_once(a, cwd, env)
        rb = run_once(b, cwd, env)
        if i:
            runs_a.append(ra)
            runs_b.append(rb)
            ratios.append(ra[0] / rb[0])
    med = statistics.median
    return {"a_wall": med(r[0] for r in runs_a), "a_cpu": med(r[1] for r in runs_a),
            "b_wall": med(r[0] for r in runs_b), "b_cpu": med(r[1] for r in runs_b),
            "ratio": med(ratios), "spread": (min(ratios), max(ratios)),
            "rss": max(r[2] for r in runs_a)}


def ml(*args):
    return [sys.executable, "-m", "migrate_lint", *map(str, args), "-q", "--exit-zero"]


def report(name, m, peer):
    target = TARGETS.get(name)
    verdict = "" if target is None else (f"  target <= {target}x: "
                                         + ("met" if m["ratio"] <= target else "NOT met"))
    print(f"{name:<28} {m['a_wall'] * 1000:8.0f} ms (cpu {m['a_cpu'] * 1000:5.0f})   "
          f"{peer:<34} {m['b_wall'] * 1000:7.0f} ms (cpu {m['b_cpu'] * 1000:5.0f})   "
          f"{m['ratio']:5.2f}x  [{m['spread'][0]:.2f}-{m['spread'][1]:.2f}]{verdict}")


def migrations_of(app: Path) -> Path:
    found = [d for d in app.rglob("migrations") if d.is_dir()] or [app]
    return max(found, key=lambda d: sum(1 for _ in d.glob("*.php")))


def pick_app(corpus: Path, size: int) -> Path:
    apps = [a for a in corpus.iterdir() if a.is_dir()]
    return min(apps, key=lambda a: abs(sum(1 for _ in migrations_of(a).glob("*.php")) - size))


def scratch_app(work: Path, name: str, source: Path | None, size: int) -> Path:
    """A project with database/migrations: a copy of a real app's folder, or generated."""
    if source is not None:
        shutil.copytree(migrations_of(source), work / name / "database" / "migrations")
    else:
        generate(work / name, size, seed=size)
    return work / name


def compile_bytecode() -> None:
    import migrate_lint
    from migrate_lint import rules

    for d in {os.path.dirname(migrate_lint.__file__), *rules.__path__}:
        subprocess.run([sys.executable, "-m", "compileall", "-q", d], check=False,
                       stdout=subprocess.DEVNULL)


def lsp_rows(work: Path, repeat: int, env) -> None:
    """The server over stdio (bench/lsp.py) next to the CLI run on the same file, warm."""
    try:
        import lsp
    except ImportError:
        print("pygls not installed (pip install '.[server]'): no server figures")
        return
    folder = generate(work / "lsp400", 400)
    r = lsp.measure(folder, 30)
    one = sorted(folder.glob("*.php"))[200]
    subprocess.run(ml(one), cwd=work, env=env, capture_output=True)
    cli = statistics.median(run_once(ml(one), work, env)[0] for _ in range(repeat))
    print(f"{'CLI FILE, warm cache':<28} {cli * 1000:8.0f} ms")
    for name in ("first", "median", "p90"):
        print(f"{'server, ' + name:<28} {r[name] * 1000:8.0f} ms   {r[name] / cli:5.2f}x the CLI")


def other_rows(work: Path, env) -> None:
    history = generate(work / "history", 5000)
    wall, _, _ = run_once([sys.executable, "-m", "migrate_lint", "schema", str(history)],
                          work, env)
    print(f"{'schema, 5,000 migrations':<28} {wall * 1000:8.0f} ms")
    big = big_migration(work / "big" / "2024_01_01_000000_big.php")
    for name, cmd in (("BIG -q", ml(big, "--no-cache")),
                      ("BIG, default text", [sys.executable, "-m", "migrate_lint", str(big),
                                             "--no-cache", "--exit-zero"])):
        wall, _, _ = run_once(cmd, work, env)
        print(f"{name:<28} {wall * 1000:8.0f} ms")
    pristine = big.read_bytes()
    walls = []
    for _ in range(2):
        big.write_bytes(pristine)
        walls.append(run_once([sys.executable, "-m", "migrate_lint", str(big), "--no-cache",
                               "--fix", "--exit-zero"], work, env)[0])
    print(f"{'BIG --fix':<28} {min(walls) * 1000:8.0f} ms")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, help="a directory of real migrations (apps)")
    parser.add_argument("--files", type=int, default=3000, help="synthetic corpus size")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--skip-rss", action="store_true", help="skip the 30,000-file run")
    args = parser.parse_args(argv)
    ast_grep = shutil.which("ast-grep")
    if ast_grep is None:
        print("ast-grep not installed: pip install '.[bench]'", file=sys.stderr)
        return 2
    compile_bytecode()
    work = Path(tempfile.mkdtemp(prefix="migrate-lint-bench-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "user-cache")}  # the cache key's home
    try:
        corpus = args.corpus.resolve() if args.corpus else generate(work / "synthetic",
                                                                   args.files)
        n = sum(1 for _ in corpus.rglob("*.php"))
        print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, python "
              f"{sys.version.split()[0]}; corpus: {corpus} ({n} files); medians of "
              f"{args.repeat} paired runs; ratio = A/B wall, per pair [min-max]\n")
        scan = [ast_grep, "scan", "--rule", str(HERE / "astgrep-rule.yml"), str(corpus)]
        home = work / "whole"
        home.mkdir()
        report("cold", paired(ml(corpus, "--no-cache"), scan, args.repeat, cwd=home, env=env),
               "ast-grep scan, one rule")
        subprocess.run(ml(corpus), cwd=home, env=env, capture_output=True)  # fill the cache
        report("warm", paired(ml(corpus), scan, args.repeat, cwd=home, env=env),
               "ast-grep scan, one rule")
        report("  (parse only, one process)", paired([sys.executable, "-c", PARSE, str(corpus)],
                                                    scan, max(3, args.repeat // 2), cwd=home,
                                                    env=env), "ast-grep scan, one rule")

        app60 = scratch_app(work, "app60", pick_app(corpus, 60) if args.corpus else None, 60)
        last60 = sorted((app60 / "database/migrations").glob("*.php"))[-1]
        report("one file, no cache",
               paired(ml(last60.relative_to(app60), "--no-cache"), FLOOR, args.repeat * 2,
                      cwd=app60, env=env),
               "python -c 'import tree_sitter...'")
        report("  (its imports + parsing the folder)",
               paired([sys.executable, "-c", IMPORTS_AND_PARSE, str(last60.parent)], FLOOR,
                      args.repeat, cwd=app60, env=env), "python -c 'import tree_sitter...'")

        app400 = scratch_app(work, "app400", pick_app(corpus, 400) if args.corpus else None,
                             400)
        last400 = sorted((app400 / "database/migrations").glob("*.php"))[-1]
        original = last400.read_bytes()
        edits = iter(range(10**6))

        def change():  # a new edit before every run: the file is never in the cache
            last400.write_bytes(original + f"\n// edit {next(edits)}\n".encode())

        one = ml(last400.relative_to(app400))
        subprocess.run(ml("database/migrations"), cwd=app400, env=env, capture_output=True)
        report("one changed file, cache", paired(one, FLOOR, args.repeat * 2, setup=change,
                                                 cwd=app400, env=env),
               "python -c 'import tree_sitter...'")
        report("  (its imports alone)", paired([sys.executable, "-c", IMPORTS], FLOOR,
                                                 args.repeat, cwd=app400, env=env),
               "python -c 'import tree_sitter...'")
        report("  the same, vs ast-grep", paired(one, [ast_grep, "scan", "--rule",
                                                      str(HERE / "astgrep-rule.yml"),
                                                      str(last400.relative_to(app400))],
                                                 args.repeat, setup=change, cwd=app400,
                                                 env=env),
               "ast-grep on that one file")
        print(f"\n(apps: {len(list((app60 / 'database/migrations').glob('*.php')))} and "
              f"{len(list((app400 / 'database/migrations').glob('*.php')))} migrations)")

        print("\nlanguage server: one edited file in a 400-file folder")
        lsp_rows(work, args.repeat, env)
        print("\nother figures (one run each)")
        other_rows(work, env)

        print("\npeak RSS, one process (-j 1 --no-cache), all rules:")
        for size in [3000] if args.skip_rss else [3000, 30000]:
            target = generate(work / f"rss{size}", size)
            wall, cpu, rss = run_once(ml(target, "--no-cache", "-j", "1"), cwd=home, env=env)
            print(f"{size:>6} files: {rss:6.0f} MB, {wall:6.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
