"""load_history(overlay=): an editor's unsaved buffers replace the files on disk, and a buffer
not yet saved joins the history of its folder."""

from __future__ import annotations

import os

from migrate_lint.replay.history import load_history, replay

CREATE = ("<?php\nreturn new class extends Migration {\n    public function up(): void {\n"
          "        Schema::create('tasks', function ($table) { $table->id(); });\n    }\n};\n")
ADD = ("<?php\nreturn new class extends Migration {\n    public function up(): void {\n"
       "        Schema::table('tasks', function ($table) { $table->string('COL'); });\n    }\n};\n")


def test_overlay_replaces_disk_bytes_and_adds_unsaved_files(tmp_path):
    d = tmp_path / "database" / "migrations"
    d.mkdir(parents=True)
    create = d / "2024_01_01_000000_create_tasks.php"
    create.write_text(CREATE)
    added = d / "2024_02_01_000000_add_title.php"
    added.write_text(ADD.replace("COL", "title"))
    unsaved = str(d / "2024_03_01_000000_add_id.php")
    overlay = {str(added): ADD.replace("COL", "id").encode(),
               unsaved: ADD.replace("COL", "title").encode()}
    h = load_history([str(d)], {os.path.normpath(unsaved)}, overlay=overlay)
    assert [os.path.basename(f) for f in h.files] == [
        "2024_01_01_000000_create_tasks.php", "2024_02_01_000000_add_title.php",
        "2024_03_01_000000_add_id.php"]
    problems = {os.path.basename(s.path): [p.code for p in ps] for s, ps in replay(h)}
    # The buffer of 2024_02 adds `id` again (not `title`, as on disk); the unsaved 2024_03 adds
    # `title`, new in this history.
    assert problems == {"2024_01_01_000000_create_tasks.php": [],
                        "2024_02_01_000000_add_title.php": ["ML101"],
                        "2024_03_01_000000_add_id.php": []}
    assert added.read_text() == ADD.replace("COL", "title")  # the disk is only read


def test_overlay_paths_outside_the_folder_are_not_part_of_its_history(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "2024_01_01_000000_create_tasks.php").write_text(CREATE)
    elsewhere = str(tmp_path / "other" / "2024_02_01_000000_add.php")
    h = load_history([str(d)], overlay={elsewhere: ADD.encode(),
                                        str(d / "notes.txt"): b"x"})
    assert [os.path.basename(f) for f in h.files] == ["2024_01_01_000000_create_tasks.php"]
