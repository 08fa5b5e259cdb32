"""The cache and the pool never change a result: `python bench/identical.py CORPUS [--single N]`.

Runs migrate-lint on CORPUS in every mode and compares each output, byte for byte, with
`--no-cache --jobs 1` (text and JSON, exit codes included):

  pool         --no-cache --jobs 2
  cold cache   the first run, filling the cache
  warm         the cache present
  touched      every file's mtime changed, content not (files re-hashed, results reused)
  single file  each file alone (N of them, spread over the corpus; all by default), cold and
               warm, against the whole run's findings for that file

Exit status 1 when any mode differs. tests/test_modes.py runs it on a small generated corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def migrate_lint(args, cwd, env):
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True)
    if b"Traceback" in proc.stderr:
        raise RuntimeError(proc.stderr.decode(errors="replace"))
    return proc.returncode, proc.stdout


def whole_run(corpus, cwd, env, *extra):
    return {fmt: migrate_lint([corpus, "--format", fmt, *extra], cwd, env)
            for fmt in ("text", "json")}


def check(corpus: Path, single=None, out=sys.stdout) -> bool:
    """True when every mode gives exactly the reference output. single: how many files to
    run alone, spread over the corpus (None: all), or which (paths relative to the corpus)."""
    work = Path(tempfile.mkdtemp(prefix="migrate-lint-identical-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "user-cache")}
    # A copy: the "touched" mode changes mtimes.
    corpus = Path(shutil.copytree(corpus, work / "corpus", symlinks=True))
    ok = True

    def verdict(mode, same, detail=""):
        nonlocal ok
        ok &= same
        print(f"{mode:<14} {'identical' if same else 'DIFFERENT'} {detail}", file=out)

    try:
        reference = whole_run(corpus, work, env, "--no-cache", "--jobs", "1")
        findings = json.loads(reference["json"][1])
        print(f"reference      {len(findings)} findings, exit {reference['text'][0]}", file=out)
        verdict("pool", whole_run(corpus, work, env, "--no-cache", "--jobs", "2") == reference)
        verdict("cold cache", whole_run(corpus, work, env) == reference)
        verdict("warm", whole_run(corpus, work, env) == reference)
        files = sorted(p for p in corpus.rglob("*.php") if p.is_file())
        for p in files:
            st = p.stat()
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        verdict("touched", whole_run(corpus, work, env) == reference)
        verdict("warm again", whole_run(corpus, work, env) == reference)

        by_path: dict[str, list] = {}
        for f in findings:
            by_path.setdefault(f["path"], []).append(f)
        if isinstance(single, int):
            chosen = [files[round(i * (len(files) - 1) / max(1, single - 1))]
                      for i in range(min(single, len(files)))]
        else:
            chosen = [corpus / p for p in single] if single else files
        bad = []
        for mode, extra in (("single, cold", ["--no-cache"]), ("single, warm", [])):
            for p in chosen:
                code, got = migrate_lint([p, "--format", "json", *extra], work, env)
                expected = by_path.get(str(p), [])
                if json.loads(got) != expected or code != (1 if expected else 0):
                    bad.append(f"{mode}: {p}")
            verdict(mode, not any(b.startswith(mode) for b in bad),
                    f"({len(chosen)} files)")
        for line in bad[:20]:
            print(f"  differs: {line}", file=out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--single", type=int, help="files to run alone (default: all)")
    args = parser.parse_args(argv)
    return 0 if check(args.corpus, args.single) else 1


if __name__ == "__main__":
    sys.exit(main())
