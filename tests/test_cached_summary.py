"""A summary read from the cache keeps its steps as rows until they are used
(lint/replay/summaries.py): it must read exactly as the summary it was made from."""

from __future__ import annotations

import marshal

from migrate_lint.replay.relevant import Footprint
from migrate_lint.replay.summaries import SummaryCache, build_one, step_keys, to_row

SOURCE = b"""<?php
return new class extends Migration {
    public function up() {
        Schema::create('a', function (Blueprint $t) { $t->id(); });
        if (! Schema::hasColumn('b', 'c')) {
            Schema::table('b', function (Blueprint $t) { $t->string('c'); });
        }
        Schema::rename('a', 'z');
    }
    public function down() { Schema::dropIfExists('z'); }
};
"""


def _cached(summary):
    cache = SummaryCache()
    cache.entries[(b"d", "2024_01_01_000000_x.php")] = marshal.dumps(to_row(summary))
    return cache.get("other/2024_01_01_000000_x.php", b"d")


def test_cached_summary_reads_as_the_original():
    built, _ = build_one("2024_01_01_000000_x.php", SOURCE)
    cached = _cached(built)
    assert "_rows" in cached.__dict__  # not decoded by being loaded
    assert cached.path == "other/2024_01_01_000000_x.php" and cached.name == built.name
    for downs in (False, True):
        assert step_keys(cached, downs) == step_keys(built, downs)
        fa, fb = Footprint(cached, downs), Footprint(built, downs)
        assert (fa.tables, fa.asks, fa.steps, fa.contained) == \
            (fb.tables, fb.asks, fb.steps, fb.contained)
    assert "_rows" in cached.__dict__  # the footprint read the rows, not Step objects
    assert cached.steps == built.steps and cached.down_steps == built.down_steps
    assert type(cached).__name__ == "Summary" and "_rows" not in cached.__dict__


def test_equality_and_a_list_set_before_decoding():
    built, _ = build_one("2024_01_01_000000_x.php", SOURCE)
    built.path = "other/2024_01_01_000000_x.php"
    assert _cached(built) == built and built == _cached(built)
    cached = _cached(built)
    cached.steps = []  # as load_history does for an unreadable file: kept over the rows
    assert cached.down_steps == built.down_steps and cached.steps == []
