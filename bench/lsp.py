"""Language server benchmark: `python bench/lsp.py [--files 400] [--edits 30]`.

Starts the real `migrate-lint server` over stdio, opens one migration in the middle of a
generated folder and times, from the client's side, didOpen -> publishDiagnostics (the first
run: every migration of the folder is summarised for the replay) and then didChange ->
publishDiagnostics for edits that add and remove a duplicate column (ML101 appears and goes),
with the debounce set to 0 so the figure is the server's own work plus the round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

# Typed into up(): a table and then its `id` again, a duplicate column (ML101) on every other edit.
DUPLICATE = ("        Schema::create('bench_typed', function ($table) { $table->id(); });\n"
             "        Schema::table('bench_typed', function ($table) { $table->string('id'); });\n")


async def _drive(folder: Path, edits: int) -> dict:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient
    from pygls.uris import from_fs_path

    client = LanguageClient("bench", "1")
    arrived: asyncio.Queue = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(ls: LanguageClient, params):
        arrived.put_nowait((time.perf_counter(), params))

    await client.start_io(sys.executable, "-m", "migrate_lint", "server")
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": 0}))
    client.initialized(types.InitializedParams())
    files = sorted(folder.glob("*.php"))
    target = files[len(files) // 2]
    text = target.read_text()
    uri = from_fs_path(str(target))

    async def until(version):
        while True:
            at, params = await asyncio.wait_for(arrived.get(), 120)
            if params.uri == uri and params.version == version:
                return at, params.diagnostics

    start = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="php", version=1, text=text)))
    at, _ = await until(1)
    first = at - start
    times, ml101 = [], 0
    for version in range(2, edits + 2):
        edited = text
        if version % 2 == 0:
            insert = text.index("{", text.index("public function up()")) + 2
            edited = text[:insert] + DUPLICATE + text[insert:]
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
        at, diagnostics = await until(version)
        times.append(at - start)
        ml101 += any(d.code == "ML101" for d in diagnostics)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    times.sort()
    return {"first": first, "median": statistics.median(times),
            "p90": times[int(len(times) * 0.9) - 1], "max": times[-1], "edits": len(times),
            "ml101": ml101}


def measure(folder: Path, edits: int = 30) -> dict:
    return asyncio.run(_drive(folder, edits))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="migrate-lint-lsp-") as work:
        folder = generate(Path(work), args.files)
        r = measure(folder, args.edits)
    print(f"server, {args.files} migrations: first diagnostics {r['first'] * 1000:.0f} ms; "
          f"one edit -> diagnostics: median {r['median'] * 1000:.1f} ms, "
          f"p90 {r['p90'] * 1000:.1f} ms, max {r['max'] * 1000:.1f} ms over {r['edits']} edits "
          f"(ML101 shown after {r['ml101']} of them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
