"""`migrate-lint server` end to end: pytest-lsp drives the real server over stdio.

One server per module (VS Code 1.65's capabilities), and a second one with a bare client
(no code-action resolve, no documentChanges) for the eager paths. Each test uses its own
project folder, so tests do not see each other's buffers.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp  # the test extra installs it: a missing one is an error, not a skip
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

pytestmark = pytest.mark.asyncio(loop_scope="module")

SERVER = [sys.executable, "-m", "migrate_lint", "server"]
HEAD = ("<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n"
        "use Illuminate\\Database\\Schema\\Blueprint;\nuse Illuminate\\Support\\Facades\\Schema;\n\n")
CREATE = HEAD + """return new class extends Migration
{
    public function up(): void
    {
        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
            $table->string('title');
            $table->unsignedTinyInteger('priority');
        });
    }
};
"""
ADD = HEAD + """return new class extends Migration
{
    public function up(): void
    {
        Schema::table('tasks', function (Blueprint $table) {
            $table->text('notes')->nullable();
        });
    }
};
"""
MANY = HEAD + """return new class extends Migration
{
    public function up(): void
    {
        Schema::create('projects', function (Blueprint $table) {
            $table->id();
        });
        Schema::table('tasks', function (Blueprint $table) {
            $table->string('owner');
            $table->timestamps();
            $table->index('owner');
        });
        Schema::table('tasks', fn (Blueprint $table) => $table->string('label'));
        Schema::rename('todo', 'todos');
    }

    public function down(): void
    {
        Schema::table('tasks', function (Blueprint $table) {
            $table->dropColumn(['owner', 'label']);
        });
        Schema::drop('projects');
    }
};
"""


def _client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics in order (with versions)."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []

    def record(c: LanguageClient, params: types.PublishDiagnosticsParams):
        c.diagnostics[params.uri] = params.diagnostics
        c.published.append(params)

    def register(c: LanguageClient, params: types.RegistrationParams):
        c.registrations = getattr(c, "registrations", []) + list(params.registrations)

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES,
                                   types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: record,
                                   types.CLIENT_REGISTER_CAPABILITY: register})
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=_client)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        initialization_options={"debounceMs": 20}))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def bare(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": 0}))
    yield
    await lsp_client.shutdown_session()


# ---------------------------------------------------------------------- helpers
def project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A Laravel-shaped folder: files are relative to database/migrations unless they
    contain a slash."""
    for name, text in files.items():
        target = tmp_path / (name if "/" in name else f"database/migrations/{name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return tmp_path / "database" / "migrations"


async def published(client, uri: str, version: int | None = None, after: int = 0,
                    timeout: float = 60):
    """The first diagnostics for uri (at that version) published after index `after`."""
    async def wait():
        i = after
        while True:
            while i < len(client.published):
                p = client.published[i]
                i += 1
                if p.uri == uri and (version is None or p.version == version):
                    return p.diagnostics
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(wait(), timeout)


async def open_doc(client, path: Path, text: str | None = None, version: int = 1):
    uri = from_fs_path(str(path))
    mark = len(client.published)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(
            uri=uri, language_id="php", version=version,
            text=path.read_bytes().decode("utf-8", "surrogateescape") if text is None else text)))
    return uri, await published(client, uri, version, mark)


async def change(client, uri: str, text: str, version: int):
    mark = len(client.published)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    return await published(client, uri, version, mark)


TASKS = {"2024_01_10_090000_create_tasks_table.php": CREATE,
         "2024_02_01_120000_add_notes_to_tasks.php": ADD}


async def open_tasks(client, tmp_path):
    """The two-migration project, with the second one (ADD) open: (folder, uri, diagnostics)."""
    d = project(tmp_path, TASKS)
    uri, diags = await open_doc(client, d / "2024_02_01_120000_add_notes_to_tasks.php")
    return d, uri, diags


def close(client, uri: str):
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))


def codes(diagnostics) -> list[str]:
    return sorted(d.code for d in diagnostics)


def offset_of(text: str, pos: types.Position) -> int:
    """UTF-16 position to str index (the tests' texts are ASCII or BMP)."""
    lines = text.splitlines(keepends=True)
    return sum(len(line) for line in lines[:pos.line]) + pos.character


def apply(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    if edit.document_changes:
        edits = [e for dc in edit.document_changes if dc.text_document.uri == uri
                 for e in dc.edits]
    else:
        edits = edit.changes[uri]
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                    reverse=True):
        text = text[:offset_of(text, e.range.start)] + e.new_text + text[offset_of(text, e.range.end):]
    return text


def cli_fix(tmp_path: Path, name: str, text: str) -> str:
    """What `migrate-lint --fix` writes for this text, in a folder of its own."""
    folder = tmp_path / "cli" / "database" / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(text.encode("utf-8"))
    subprocess.run([sys.executable, "-m", "migrate_lint", "--fix", "--no-cache", str(target)],
                   capture_output=True, check=False)
    return target.read_bytes().decode("utf-8")


async def actions(client, uri: str, rng: types.Range, diagnostics=(), only=None):
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
        context=types.CodeActionContext(diagnostics=list(diagnostics), only=only))) or []


WHOLE = types.Range(start=types.Position(line=0, character=0),
                    end=types.Position(line=10_000, character=0))


# ---------------------------------------------------------------------- diagnostics
async def test_open_shows_the_cli_findings_with_code_link_and_severity(client, tmp_path):
    d, uri, diags = await open_tasks(client, tmp_path)
    assert codes(diags) == ["ML002"]
    (d2,) = diags
    assert d2.source == "migrate-lint"
    assert d2.severity == types.DiagnosticSeverity.Error
    # A link only to a page that exists (the project's published docs); hover shows the docs.
    from migrate_lint.links import doc_url

    url = doc_url("ML002", "add-column-unguarded")
    assert (d2.code_description.href if d2.code_description else None) == url
    assert "notes" in d2.message and "hasColumn" in d2.message
    line = ADD.splitlines()[d2.range.start.line]
    assert line[d2.range.start.character:].startswith("$table->text('notes')")
    close(client, uri)


async def test_typed_duplicate_column_is_ml101_before_saving(client, tmp_path):
    d, uri, diags = await open_tasks(client, tmp_path)
    path = d / "2024_02_01_120000_add_notes_to_tasks.php"
    assert "ML101" not in codes(diags)
    typed = ADD.replace("$table->text('notes')->nullable();",
                        "$table->text('notes')->nullable();\n            $table->string('title');")
    diags = await change(client, uri, typed, 2)
    ml101 = [x for x in diags if x.code == "ML101"]
    assert len(ml101) == 1, codes(diags)
    assert "2024_01_10_090000_create_tasks_table.php" in ml101[0].message
    assert typed.splitlines()[ml101[0].range.start.line].strip() == "$table->string('title');"
    assert path.read_text() == ADD  # nothing was saved
    close(client, uri)


async def test_an_edit_in_one_buffer_updates_another_open_migration(client, tmp_path):
    d, later, diags = await open_tasks(client, tmp_path)
    assert "ML101" not in codes(diags)
    first, _ = await open_doc(client, d / "2024_01_10_090000_create_tasks_table.php")
    mark = len(client.published)
    await change(client, first, CREATE.replace("$table->id();",
                                               "$table->id();\n            $table->text('notes');"), 2)
    diags = await published(client, later, after=mark)
    assert "ML101" in codes(diags)
    close(client, first)
    close(client, later)


async def test_suppression_comment_hides_a_replay_finding(client, tmp_path):
    d = project(tmp_path, TASKS)
    text = ADD.replace("$table->text('notes')->nullable();",
                       "// migrate-lint-ignore ML101, ML002 -- on purpose\n"
                       "            $table->string('title');")
    uri, diags = await open_doc(client, d / "2024_02_01_120000_add_notes_to_tasks.php", text)
    assert codes(diags) == []
    close(client, uri)


async def test_broken_file_gets_ml000_only(client, tmp_path):
    d = project(tmp_path, {"2024_01_10_090000_create_tasks_table.php": CREATE})
    broken = ADD.replace("$table->text('notes')->nullable();",
                         "$table->string('title');\n            $table->string(")
    uri, diags = await open_doc(client, d / "2024_02_01_120000_add_title.php", broken)
    assert codes(diags) == ["ML000"]
    assert "syntax error" in diags[0].message
    close(client, uri)


async def test_binary_buffer_is_ml000(client, tmp_path):
    d = project(tmp_path, {"2024_05_01_000000_blob.php": b"\x00\x01\x02PK\x03\x04" * 50})
    uri, diags = await open_doc(client, d / "2024_05_01_000000_blob.php")
    assert codes(diags) == ["ML000"] and "binary" in diags[0].message
    close(client, uri)


async def test_a_lone_surrogate_in_a_buffer_is_linted_and_counted_as_one_unit(client, tmp_path):
    prefix = "            /* \ud800 */ "
    text = ADD.replace("            $table->text", prefix + "$table->text")
    d = project(tmp_path, {})
    uri, diags = await open_doc(client, d / "2024_05_02_000000_surrogate.php", text)
    assert codes(diags) == ["ML002"]
    assert diags[0].range.start.character == len(prefix)  # one UTF-16 unit, as the client has it
    close(client, uri)


async def test_four_megabyte_file_is_linted(client, tmp_path):
    comments = "            // " + "x" * 70 + "\n"
    huge = ADD.replace("            $table->text", comments * 50_000 + "            $table->text")
    assert len(huge) > 4_000_000
    d = project(tmp_path, {})
    uri, diags = await open_doc(client, d / "2024_06_02_000000_huge.php", huge)
    assert codes(diags) == ["ML002"] and diags[0].range.start.line == 50_011
    close(client, uri)


async def test_many_findings_in_one_file_and_the_server_stays_responsive(client, tmp_path):
    # 500 statements in one closure: the model's guard pass is quadratic in them today
    # (3,000 take a minute), which is the engine's to fix, not this test's to wait for.
    body = "".join(f"            $table->string('c{i}');\n" for i in range(500))
    huge = ADD.replace("            $table->text('notes')->nullable();\n", body)
    d = project(tmp_path, {"2024_01_10_090000_create_tasks_table.php": CREATE})
    uri, diags = await open_doc(client, d / "2024_06_01_000000_huge.php", huge)
    assert codes(diags) == ["ML002"] * 500
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=diags[-1].range.start.line, character=14)))
    assert "add-column-unguarded" in hover.contents.value
    close(client, uri)


async def test_files_outside_migrations_get_no_diagnostics(client, tmp_path):
    project(tmp_path, {"app/Models/Task.php": "<?php\nclass Task extends Model {\n"
                       "  public function seed() { DB::table('tasks')->insert(['a' => 1]); }\n}\n",
                       "app/Broken.php": "<?php\nclass Broken {\n",
                       "routes/console.php": "<?php\nSchema::drop('x');\n",
                       "docs/notes.txt": "Schema::drop('x');"})
    for name in ("app/Models/Task.php", "app/Broken.php", "routes/console.php", "docs/notes.txt"):
        uri, diags = await open_doc(client, tmp_path / name)
        assert list(diags) == [], name
        assert await actions(client, uri, WHOLE) == []
        close(client, uri)


async def test_a_migration_class_outside_a_migrations_folder_is_linted(client, tmp_path):
    project(tmp_path, {"modules/billing/2024_01_01_000000_add.php": ADD})
    uri, diags = await open_doc(client, tmp_path / "modules/billing/2024_01_01_000000_add.php")
    assert codes(diags) == ["ML002"]
    close(client, uri)


async def test_excluded_file_gets_no_diagnostics(client, tmp_path):
    d = project(tmp_path, {"./.migrate-lint.toml": 'exclude = ["database/migrations/legacy_*"]\n',
                           "legacy_2019_01_01_000000_add.php": ADD})
    uri, diags = await open_doc(client, d / "legacy_2019_01_01_000000_add.php")
    assert list(diags) == []
    close(client, uri)


# ---------------------------------------------------------------------- configuration
async def test_config_changes_reload_without_restart(client, tmp_path):
    d, uri, diags = await open_tasks(client, tmp_path)
    assert codes(diags) == ["ML002"]
    config = tmp_path / ".migrate-lint.toml"

    async def notify(kind):
        mark = len(client.published)
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=from_fs_path(str(config)), type=kind)]))
        return await published(client, uri, after=mark)

    config.write_text('ignore = ["ML002"]\n')
    assert list(await notify(types.FileChangeType.Created)) == []
    config.write_text('ignore = ["ML002"\n')  # broken TOML: said once, never a crash
    assert list(await notify(types.FileChangeType.Changed)) == []
    assert any("invalid TOML" in m.message for m in client.log_messages)
    config.unlink()
    assert codes(await notify(types.FileChangeType.Deleted)) == ["ML002"]
    close(client, uri)


async def test_a_migration_changed_on_disk_is_replayed_again(client, tmp_path):
    d, uri, diags = await open_tasks(client, tmp_path)
    assert "ML101" not in codes(diags)
    first = d / "2024_01_10_090000_create_tasks_table.php"  # not open: a `git pull` changes it
    first.write_text(CREATE.replace("$table->id();", "$table->id();\n$table->text('notes');"))
    mark = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=from_fs_path(str(first)), type=types.FileChangeType.Changed)]))
    assert "ML101" in codes(await published(client, uri, after=mark))
    close(client, uri)


async def test_editor_settings_override_like_cli_flags(bare, tmp_path):
    d = project(tmp_path, {"2024_02_01_120000_add_notes_to_tasks.php": ADD})
    uri, diags = await open_doc(bare, d / "2024_02_01_120000_add_notes_to_tasks.php")
    assert codes(diags) == ["ML002"]
    mark = len(bare.published)
    bare.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"migrateLint": {"ignore": ["add-column-unguarded"], "debounceMs": 0}}))
    assert list(await published(bare, uri, after=mark)) == []
    mark = len(bare.published)
    bare.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"migrateLint": {"select": ["NOPE"]}}))
    assert list(await published(bare, uri, after=mark)) == []
    assert any("unknown rule code or name: NOPE" in m.message for m in bare.log_messages)
    mark = len(bare.published)
    bare.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"migrateLint": {"debounceMs": "soon", "colour": True, "database": "oracle"}}))
    assert list(await published(bare, uri, after=mark)) == []  # database: like --database
    said = "\n".join(m.message for m in bare.log_messages)
    assert "setting `debounceMs` must be milliseconds" in said
    assert "unknown setting `colour`" in said and "`database` must be one of" in said
    mark = len(bare.published)
    bare.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"migrateLint": {"debounceMs": 0}}))
    assert codes(await published(bare, uri, after=mark)) == ["ML002"]
    close(bare, uri)


# ---------------------------------------------------------------------- code actions
async def test_fix_all_is_the_cli_fix_byte_for_byte(client, tmp_path):
    name = "2024_03_01_000000_many.php"
    d = project(tmp_path, {name: MANY})
    uri, diags = await open_doc(client, d / name)
    assert {"ML001", "ML002", "ML003", "ML004", "ML006"} <= set(codes(diags))
    found = await actions(client, uri, WHOLE, only=["source.fixAll"])
    (fix_all,) = found
    assert fix_all.kind == "source.fixAll.migrate-lint" and fix_all.edit is None
    resolved = await client.code_action_resolve_async(fix_all)
    assert apply(MANY, resolved.edit, uri) == cli_fix(tmp_path, name, MANY)
    assert resolved.edit.document_changes[0].text_document.version == 1
    close(client, uri)


async def test_fix_all_without_resolve_support(bare, tmp_path):
    name = "2024_03_01_000000_many.php"
    d = project(tmp_path, {name: MANY})
    uri, diags = await open_doc(bare, d / name)
    fix_all = [a for a in await actions(bare, uri, WHOLE, diags)
               if a.title == "Fix all migrate-lint problems in this file"]
    assert [a.kind for a in fix_all] == ["quickfix", "source.fixAll.migrate-lint"]
    for action in fix_all:
        assert apply(MANY, action.edit, uri) == cli_fix(tmp_path, name, MANY)
    close(bare, uri)


async def test_quick_fix_for_one_finding_is_the_cli_edit(client, tmp_path):
    name = "2024_02_01_120000_add_notes_to_tasks.php"
    d = project(tmp_path, {name: ADD})
    uri, (diag,) = await open_doc(client, d / name)
    found = await actions(client, uri, diag.range, [diag])
    titles = [a.title for a in found]
    assert titles[0] == "Guard with `Schema::hasColumn` (ML002)"
    assert "Suppress ML002 on this line" in titles
    fixed = apply(ADD, found[0].edit, uri)
    assert fixed == cli_fix(tmp_path, name, ADD)
    assert list(await change(client, uri, fixed, 2)) == []
    close(client, uri)


async def test_suppress_action_adds_the_comment_with_a_reason_placeholder(client, tmp_path):
    name = "2024_02_01_120000_add_notes_to_tasks.php"
    d = project(tmp_path, {"2024_01_10_090000_create_tasks_table.php": CREATE})
    text = ADD.replace("$table->text('notes')->nullable();", "$table->string('title');")
    uri, diags = await open_doc(client, d / name, text)
    assert codes(diags) == ["ML002", "ML101"]
    for version, code in ((2, "ML101"), (3, "ML002")):
        diag = next(x for x in diags if x.code == code)
        (action,) = [a for a in await actions(client, uri, diag.range, [diag])
                     if a.title == f"Suppress {code} on this line"]
        text = apply(text, action.edit, uri)
        assert f"            // migrate-lint-ignore {code} -- reason\n" in text
        diags = await change(client, uri, text, version)
        assert code not in codes(diags) and "ML900" not in codes(diags)
    assert list(diags) == []
    close(client, uri)


async def test_suppress_inside_a_multiline_string_goes_at_the_end_of_the_line(client, tmp_path):
    raw = HEAD + ("return new class extends Migration\n{\n    public function up(): void\n    {\n"
                  "        DB::statement('ALTER TABLE tasks\n            ADD COLUMN x INT'); $a = 1;\n"
                  "    }\n};\n")
    d = project(tmp_path, {})
    uri, diags = await open_doc(client, d / "2024_07_01_000000_raw.php", raw)
    diag = next(x for x in diags if x.code == "ML008")
    (action,) = [a for a in await actions(client, uri, diag.range, [diag])
                 if a.title.startswith("Suppress")]
    text = apply(raw, action.edit, uri)
    assert list(await change(client, uri, text, 2)) == []
    close(client, uri)


# ---------------------------------------------------------------------- hover
async def hover_at(client, uri, text: str, needle: str, delta: int = 1):
    index = text.index(needle) + delta
    line = text.count("\n", 0, index)
    character = index - (text.rfind("\n", 0, index) + 1)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character)))
    return result.contents.value if result else None


async def test_hover_on_a_finding_shows_the_rule_docs(client, tmp_path):
    name = "2024_02_01_120000_add_notes_to_tasks.php"
    d = project(tmp_path, {name: ADD})
    uri, _ = await open_doc(client, d / name)
    text = await hover_at(client, uri, ADD, "$table->text")
    assert text.startswith("**ML002** column 'notes' added to 'tasks'")
    assert "# ML002 add-column-unguarded" in text and "## Why is this bad?" in text
    close(client, uri)


async def test_hover_on_a_table_and_a_column_shows_the_replayed_state(client, tmp_path):
    d = project(tmp_path, {"2024_01_10_090000_create_tasks_table.php": CREATE})
    text = ADD.replace("->text('notes')->nullable()", "->string('priority')")
    uri, _ = await open_doc(client, d / "2024_02_01_120000_add_priority.php", text)
    table = await hover_at(client, uri, text, "'tasks'")
    assert table.startswith("**table `tasks`**, replayed")
    assert "before this migration: exists (created by 2024_01_10_090000_create_tasks_table.php:11)" in table
    assert "columns: `id`, `title`, `priority`" in table
    column = await hover_at(client, uri, text, "'priority'")
    assert column.startswith("**column `tasks.priority`**")
    assert "before this migration: exists (added by 2024_01_10_090000_create_tasks_table.php:" in column
    assert "\n---\n\n**ML002** column 'priority' added" in column  # the finding there too
    close(client, uri)


async def test_hover_on_a_table_the_history_never_created(client, tmp_path):
    d = project(tmp_path, {})
    uri, _ = await open_doc(client, d / "2024_02_01_000000_add.php", ADD)
    table = await hover_at(client, uri, ADD, "'tasks'")
    assert "not created by an earlier migration" in table
    assert await hover_at(client, uri, ADD, "use Illuminate", 0) is None
    close(client, uri)


# ---------------------------------------------------------------------- robustness
async def test_requests_for_unknown_documents_and_odd_positions_do_not_crash(client, tmp_path):
    ghost = from_fs_path(str(tmp_path / "database/migrations/2024_01_01_000000_ghost.php"))
    assert await actions(client, ghost, WHOLE) == []
    assert await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=ghost),
        position=types.Position(line=5, character=5))) is None
    d = project(tmp_path, {"2024_02_01_120000_add_notes_to_tasks.php": ADD})
    uri, _ = await open_doc(client, d / "2024_02_01_120000_add_notes_to_tasks.php")
    far = types.Position(line=10_000, character=10_000)
    assert await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=far)) is None
    assert await client.code_action_resolve_async(types.CodeAction(
        title="x", data={"uri": 42})) is not None
    close(client, uri)


# ---------------------------------------------------------------------- trust
MARKED = ("if (! {{ schema }}hasColumn({{ table }}, {{ columns[0] }})) {{ '{' }} // project template"
          "{{ newline }}{{ statement }}{{ newline }}{{ indent }}}")


@pytest_lsp.fixture(config=CONFIG, loop_scope="module")
async def untrusted(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        initialization_options={"debounceMs": 0, "workspaceTrusted": False}))
    yield
    await lsp_client.shutdown_session()


async def _guard_text(client, tmp_path):
    name = "2024_02_01_120000_add_notes_to_tasks.php"
    d = project(tmp_path, {"./.migrate-lint.toml": 'template-dir = "templates"\n',
                           "./templates/add-column-guard.php.j2": MARKED, name: ADD})
    uri, (diag,) = await open_doc(client, d / name)
    found = await actions(client, uri, diag.range, [diag])
    close(client, uri)
    return apply(ADD, found[0].edit, uri)


async def test_a_trusted_workspace_renders_its_template_dir(bare, tmp_path):
    assert "// project template" in await _guard_text(bare, tmp_path)


async def test_an_untrusted_workspace_gets_the_built_in_templates(untrusted, tmp_path):
    text = await _guard_text(untrusted, tmp_path)
    assert "// project template" not in text and "hasColumn('tasks', 'notes')" in text
    untrusted.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"migrateLint": {"workspaceTrusted": True}}))  # settings cannot grant trust
    assert "// project template" not in await _guard_text(untrusted, tmp_path / "again")


# ---------------------------------------------------------------------- encodings, debounce
@pytest_lsp.fixture(config=CONFIG, loop_scope="module")
async def utf8(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind.Utf8])),
        initialization_options={"debounceMs": 0}))
    yield
    await lsp_client.shutdown_session()


WIDE = ADD.replace("            $table->text('notes')->nullable();",
                   "            /* é 😀 */ $table->text('notes')->nullable();")
PREFIX = "            /* é 😀 */ "


async def test_positions_count_utf16_code_units_by_default(bare, tmp_path):
    d = project(tmp_path, {})
    uri, (diag,) = await open_doc(bare, d / "2024_02_01_000000_wide.php", WIDE)
    assert diag.range.start.character == len(PREFIX.encode("utf-16-le")) // 2  # 😀 is two
    close(bare, uri)


async def test_positions_count_bytes_when_the_client_chose_utf8(utf8, tmp_path):
    d = project(tmp_path, {})
    uri, (diag,) = await open_doc(utf8, d / "2024_02_01_000000_wide.php", WIDE)
    assert diag.range.start.character == len(PREFIX.encode("utf-8"))
    found = await actions(utf8, uri, diag.range, [diag])
    edit = found[0].edit.changes[uri][0]
    assert edit.range.start.character == len(PREFIX.encode("utf-8"))
    close(utf8, uri)


async def test_changes_in_quick_succession_are_linted_once(utf8, tmp_path):
    d = project(tmp_path, {})
    uri, _ = await open_doc(utf8, d / "2024_02_01_000000_add.php", ADD)
    mark = len(utf8.published)
    utf8.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"migrateLint": {"debounceMs": 400}}))
    await published(utf8, uri, after=mark)  # the configuration's re-lint
    mark = len(utf8.published)
    for version in range(2, 7):
        utf8.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(
                text=ADD.replace("'notes'", f"'notes{version}'"))]))
    diags = await published(utf8, uri, 6, mark)
    assert "notes6" in diags[0].message
    assert [p.version for p in utf8.published[mark:] if p.uri == uri] == [6]
    close(utf8, uri)
