"""A deterministic synthetic corpus of realistic Laravel migrations: `python bench/generate.py DIR N`."""

from __future__ import annotations

import random
import sys
from pathlib import Path

COLUMN_TYPES = ["string", "integer", "boolean", "text", "timestamp", "decimal", "json", "date"]


def _add(rng, table, var, guarded):
    col = f"c{rng.randrange(10_000)}"
    kind = rng.choice(COLUMN_TYPES)
    call = f"{var}->{kind}('{col}')" + rng.choice(["", "->nullable()", "->default(0)", "->after('id')"])
    if guarded:
        return [f"if (! Schema::hasColumn('{table}', '{col}')) {{", f"    {call};", "}"]
    return [call + ";"]


def migration(rng, i) -> str:
    table = f"table_{rng.randrange(400)}"
    shape = rng.choice(["create", "create", "alter", "alter", "drop", "rename", "raw", "mixed"])
    var = rng.choice(["$table", "$t"])
    body: list[str] = []
    if shape == "create":
        cols = [f"    {var}->id();"] + [f"    {var}->{rng.choice(COLUMN_TYPES)}('f{n}');"
                                           for n in range(rng.randrange(3, 12))] + [f"    {var}->timestamps();"]
        guard = rng.random() < 0.3
        stmt = [f"Schema::create('{table}', function (Blueprint {var}) {{", *cols, "});"]
        body = ([f"if (! Schema::hasTable('{table}')) {{", *["    " + s for s in stmt], "}"]
                if guard else stmt)
    elif shape in ("alter", "mixed"):
        inner = []
        for _ in range(rng.randrange(1, 6)):
            inner += _add(rng, table, var, rng.random() < 0.5)
        if shape == "mixed":
            inner += [f"{var}->index('c{rng.randrange(100)}');", f"{var}->renameColumn('a', 'b');"]
        body = [f"Schema::table('{table}', function (Blueprint {var}) {{", *["    " + s for s in inner], "});"]
    elif shape == "drop":
        body = [f"Schema::table('{table}', function (Blueprint {var}) {{",
                f"    {var}->dropColumn(['x{rng.randrange(50)}', 'y']);", "});",
                f"Schema::{rng.choice(['drop', 'dropIfExists'])}('old_{table}');"]
    elif shape == "rename":
        body = [f"Schema::rename('{table}', '{table}_v2');"]
    else:
        body = [f"DB::statement('ALTER TABLE {table} ADD c{rng.randrange(99)} INT NULL');",
                f"DB::table('{table}')->insert(['a' => {rng.randrange(9)}]);"]
    up = "\n".join("        " + line for line in body)
    down = f"        Schema::dropIfExists('{table}');"
    if rng.random() < 0.5:
        return (f"<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
                f"use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{{\n"
                f"    public function up(): void\n    {{\n{up}\n    }}\n\n    public function down(): void\n    {{\n{down}\n    }}\n}};\n")
    return (f"<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n\nclass Migration{i} extends Migration\n{{\n"
            f"    public function up()\n    {{\n{up}\n    }}\n\n    public function down()\n    {{\n{down}\n    }}\n}}\n")


def generate(directory: Path, n: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    target = directory / "database" / "migrations"
    target.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name = f"{2015 + i // 100_000:04d}_{1 + (i // 2800) % 12:02d}_{1 + (i // 100) % 28:02d}_{i % 1_000_000:06d}_m{i}.php"
        (target / name).write_text(migration(rng, i))
    return target


if __name__ == "__main__":
    print(generate(Path(sys.argv[1]), int(sys.argv[2])))


def big_migration(path: Path, findings: int = 57_000) -> Path:
    """One ~5 MB migration with one ML002 finding (and fix) per column: the issue 12 file."""
    parts = ["<?php\n"]
    for i in range(findings):
        parts.append(f"Schema::table('tasks', function ($table) {{\n"
                     f"    $table->string('column_{i}')->nullable(); // c\n}});\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts))
    return path
