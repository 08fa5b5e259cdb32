"""`schema --format mermaid` rendered by mermaid itself (its npm package) in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from migrate_lint.cli import main
from migrate_lint.report import mermaid

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "staging-incident" / "database" / "migrations"
HEAD = """<?php
use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\Schema;
return new class extends Migration {
    public function up(): void
    {
"""
TAIL = """    }
};
"""


def blocks(markdown: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", markdown, re.S)


def schema_markdown(*args) -> str:
    result = CliRunner().invoke(main, ["schema", "--format", "mermaid", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def test_example_schema_renders_in_mermaid(render_mermaid, browser, shots):
    diagrams = blocks(schema_markdown(EXAMPLE))
    assert len(diagrams) == 1
    results, visit = render_mermaid(diagrams)
    assert results == [{"ok": True}], results
    assert visit.console == [] and visit.errors == []
    # One box per table of the example, each named as in the schema.
    names = set(re.findall(r"^    (\w+) \{$", diagrams[0], re.M))
    assert len(names) == 35
    labels = {e.text for e in browser.all("#out svg .entityLabel, #out svg .label")}
    assert {"service_cases", "customers", "users"} <= labels
    browser.screenshot(shots / "example-mermaid.png")


def test_foreign_keys_keywords_and_unknowns_render(tmp_path, render_mermaid, browser):
    mig = tmp_path / "migrations"
    mig.mkdir()
    (mig / "2024_01_01_000000_create.php").write_text(HEAD + """
        Schema::create('users', function (Blueprint $table) { $table->id(); $table->string('email')->unique(); });
        Schema::create('end', function (Blueprint $table) { $table->id(); $table->string('pk'); });
        Schema::create('class', function (Blueprint $table) {
            $table->id();
            $table->foreignId('user_id')->constrained();
            $table->foreignId('end_id')->constrained('end');
            $table->decimal('amount', 8, 2);
            $table->string('2fa');
        });
        if (config('app.extra')) {
            Schema::table('class', function (Blueprint $table) { $table->string('maybe'); });
        }
        Schema::table('legacy', function (Blueprint $table) {
            $table->foreignId('user_id')->constrained();
        });
""" + TAIL)
    diagrams = blocks(schema_markdown(mig))
    text = diagrams[0]
    assert '"end" {' in text and '"class" }o--|| users : "user_id"' in text
    assert 'string maybe "may not exist"' in text
    assert "note other_columns_unknown" in text  # legacy: created outside the history
    results, visit = render_mermaid(diagrams)
    assert results == [{"ok": True}], results
    assert visit.console == []


TABLES = 64  # over 50,000 characters with 30 columns each: mermaid would refuse one diagram


def _big_history(directory: Path, tables: int) -> None:
    directory.mkdir()
    for i in range(tables):
        fks = "".join(f"            $table->foreignId('table{j:04d}_id')->constrained('table{j:04d}');\n"
                      for j in (i // 2, i // 3) if j < i)
        cols = "".join(f"            $table->string('column_{k}')->nullable();\n" for k in range(28))
        (directory / f"2024_01_01_{i:06d}_create_table{i:04d}.php").write_text(
            HEAD + f"        Schema::create('table{i:04d}', function (Blueprint $table) {{\n"
            "            $table->id();\n" + fks + cols + "        });\n" + TAIL)


def test_big_schema_is_split_within_mermaids_limits(tmp_path, render_mermaid):
    _big_history(tmp_path / "big", TABLES)
    markdown = schema_markdown(tmp_path / "big")
    diagrams = blocks(markdown)
    assert len(diagrams) > 1
    assert f"Split into {len(diagrams)} diagrams" in markdown
    for i, d in enumerate(diagrams, 1):
        assert len(d) <= mermaid.MAX_TEXT
        assert len(re.findall(r"\}o[-.][-.]\|\|", d)) <= mermaid.MAX_EDGES
        assert f"%% part {i} of {len(diagrams)}" in d
    # Every table is drawn with its columns in exactly one part.
    drawn = [n for d in diagrams for n in re.findall(r"^    (\w+) \{$", d, re.M)]
    assert sorted(drawn) == [f"table{i:04d}" for i in range(TABLES)]
    # Every foreign key is drawn once.
    edges = sum(len(re.findall(r"\}o--\|\|", d)) for d in diagrams)
    assert edges == sum(1 for i in range(TABLES) for j in {i // 2, i // 3} if j < i)
    results, _ = render_mermaid(diagrams)
    assert all(r["ok"] for r in results), results


def test_mermaid_refuses_the_same_schema_unsplit(tmp_path, render_mermaid):
    # The limit the split respects is real: one diagram of all of it is refused by mermaid.
    _big_history(tmp_path / "big", TABLES)
    diagrams = blocks(schema_markdown(tmp_path / "big"))
    body = [line for d in diagrams for line in d.splitlines()[1:] if not line.startswith("    %%")]
    whole = "erDiagram\n" + "\n".join(body) + "\n"
    assert len(whole) > mermaid.MAX_TEXT
    results, _ = render_mermaid([whole], "whole.html")
    assert results == [{"ok": False}]
