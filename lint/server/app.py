"""The language server: pygls handlers that hand each request to the Session (one worker
thread) and publish what it returns.

stdout carries the protocol: the command points sys.stdout at stderr before starting, so a
stray print cannot corrupt it, and every error is sent to the client as window/logMessage.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from migrate_lint import __version__
from migrate_lint.server.actions import FIX_ALL_KIND
from migrate_lint.server.session import Session

WATCHED = ["**/.migrate-lint.toml", "**/pyproject.toml", "**/composer.lock",
           "**/config/database.php", "**/database/schema/*-schema.sql", "**/migrations/*.php"]


class MigrateLintServer(LanguageServer):
    def __init__(self):
        super().__init__("migrate-lint", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.session = Session(self.log)
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="migrate-lint")
        self.pending: dict[str, asyncio.Task] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.lint_lock: asyncio.Lock | None = None  # one lint at a time, the newest wins

    # ------------------------------------------------------------------ logging
    def log(self, message: str, level: types.MessageType = types.MessageType.Log,
            show: bool = False) -> None:
        """window/logMessage (and showMessage when `show`) from any thread; never stdout."""
        calls = [(self.window_log_message, types.LogMessageParams(type=level, message=message))]
        if show:
            calls.append((self.window_show_message,
                          types.ShowMessageParams(type=level, message=message)))
        for fn, params in calls:
            if threading.current_thread() is threading.main_thread() or self.loop is None:
                fn(params)
            else:
                self.loop.call_soon_threadsafe(fn, params)

    def report_server_error(self, error, source):
        self.log(f"migrate-lint: internal error: {error!r}", types.MessageType.Error)

    async def in_worker(self, fn, *args):
        """Runs engine work on the one worker thread; an exception is logged, not raised."""
        self.loop = asyncio.get_running_loop()
        try:
            return await self.loop.run_in_executor(self.worker, fn, *args)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.log("migrate-lint: internal error, please report it:\n"
                     + traceback.format_exc(), types.MessageType.Error)
            return None

    # ------------------------------------------------------------------ linting
    def open_documents(self) -> dict[str, tuple[int | None, str]]:
        return {uri: (doc.version, doc.source)
                for uri, doc in self.workspace.text_documents.items()}

    def schedule(self, uris, delay: float) -> None:
        self.loop = asyncio.get_running_loop()
        for uri in uris:
            task = self.pending.get(uri)
            if task is not None and not task.done() and getattr(task, "sleeping", False):
                task.cancel()
            self.pending[uri] = asyncio.get_running_loop().create_task(self._lint(uri, delay))

    async def _lint(self, uri: str, delay: float) -> None:
        task = asyncio.current_task()
        task.sleeping = True  # cancellable only while it waits (debounce)
        if delay:
            await asyncio.sleep(delay)
        task.sleeping = False
        if self.lint_lock is None:
            self.lint_lock = asyncio.Lock()
        async with self.lint_lock:
            if self.pending.get(uri) is not task:
                return  # typed on while an earlier lint ran: the newest request does it
            docs = self.open_documents()
            if uri not in docs:
                return
            published = await self.in_worker(self.session.lint, uri, docs, self.encoding())
        for target, version, diagnostics in published or []:
            if target in self.workspace.text_documents or not diagnostics:
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                    uri=target, version=version, diagnostics=diagnostics))

    def encoding(self) -> str:
        chosen = getattr(self.workspace, "position_encoding", None) or "utf-16"
        return getattr(chosen, "value", chosen)  # an lsprotocol enum, or a plain string

    def debounce(self) -> float:
        return self.session.project.options.debounce_ms / 1000


def build() -> MigrateLintServer:
    server = MigrateLintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: MigrateLintServer, params: types.InitializeParams):
        ls.session.capabilities = params.capabilities
        ls.session.configure(params.initialization_options, initial=True)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MigrateLintServer, params: types.InitializedParams):
        ls.loop = asyncio.get_running_loop()
        caps = ls.session.capabilities
        watch = caps and caps.workspace and caps.workspace.did_change_watched_files
        if watch and watch.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=g) for g in WATCHED])
            try:
                await ls.client_register_capability_async(types.RegistrationParams(
                    registrations=[types.Registration(
                        id="migrate-lint-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=options)]))
            except Exception as exc:  # a client that refuses only loses the early re-lint
                ls.log(f"migrate-lint: file watching not registered: {exc}")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MigrateLintServer, params: types.DidOpenTextDocumentParams):
        ls.schedule([params.text_document.uri], 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MigrateLintServer, params: types.DidChangeTextDocumentParams):
        ls.schedule([params.text_document.uri], ls.debounce())

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: MigrateLintServer, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None and getattr(task, "sleeping", False):
            task.cancel()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri,
                                                                            diagnostics=[]))
        others = await ls.in_worker(ls.session.close, uri, ls.open_documents())
        ls.schedule(others or [], ls.debounce())

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: MigrateLintServer, params: types.DidChangeWatchedFilesParams):
        await ls.in_worker(ls.session.invalidate)
        ls.schedule(list(ls.workspace.text_documents), ls.debounce())

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration(ls: MigrateLintServer, params: types.DidChangeConfigurationParams):
        settings = params.settings
        if not settings:
            return  # a client that only says "something changed" keeps its initial options
        await ls.in_worker(ls.session.configure, settings)
        ls.schedule(list(ls.workspace.text_documents), 0)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True))
    async def code_action(ls: MigrateLintServer, params: types.CodeActionParams):
        return await ls.in_worker(ls.session.code_actions, params, ls.open_documents(),
                                  ls.encoding())

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(ls: MigrateLintServer, action: types.CodeAction):
        done = await ls.in_worker(ls.session.resolve, action, ls.open_documents(), ls.encoding())
        return done or action

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: MigrateLintServer, params: types.HoverParams):
        return await ls.in_worker(ls.session.hover, params, ls.open_documents(), ls.encoding())

    return server


def serve() -> None:
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but the protocol may reach the real stdout
    build().start_io(sys.stdin.buffer, protocol_out)
