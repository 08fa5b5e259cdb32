"""Findings are the same in every mode (pool, cold cache, warm, re-hashed, single file) as
with --no-cache --jobs 1: bench/identical.py on a small generated corpus."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402
from identical import check, migrate_lint  # noqa: E402

HEAD = ("<?php\nuse Illuminate\\Database\\Migrations\\Migration;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration {\n"
        "    public function up()\n    {\n")
TAIL = "\n    }\n};\n"


def test_every_mode_gives_the_reference_findings(tmp_path):
    corpus = tmp_path / "corpus"
    generate(corpus / "big", 60)  # enough files for the process pool
    app = corpus / "small" / "database" / "migrations"
    app.mkdir(parents=True)
    create = "Schema::create('tasks', function ($t) { $t->id(); $t->string('a'); });"
    add = "Schema::table('tasks', function ($t) { $t->string('a'); });"
    (app / "2024_01_01_000000_create.php").write_text(HEAD + create + TAIL)
    (app / "2024_01_02_000000_add.php").write_text(HEAD + add + TAIL)  # ML101
    (app / "2024_01_03_000000_again.php").write_text(HEAD + create + TAIL)  # ML102
    (app / "2024_01_04_000000_quiet.php").write_text(
        HEAD + "// migrate-lint-ignore ML101, ML002\n" + add + TAIL)
    (app / "2024_01_05_000000_broken.php").write_text("<?php\nSchema::table('x', function (\n")
    _, out = migrate_lint([app, "--format", "json", "--no-cache"], tmp_path, None)
    assert {"ML000", "ML002", "ML101", "ML102"} <= {f["code"] for f in json.loads(out)}
    alone = [p.relative_to(corpus) for p in sorted(app.iterdir())]
    alone += [p.relative_to(corpus) for p in sorted((corpus / "big").rglob("*.php"))[::15]]
    out = io.StringIO()
    assert check(corpus, single=alone, out=out), out.getvalue()
    text = out.getvalue()
    assert "DIFFERENT" not in text and f"single, warm   identical ({len(alone)} files)" in text
