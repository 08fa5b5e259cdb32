"""The server's state and requests, on the worker thread: lint an open buffer (and the other
open migrations of its folder, whose replay findings it can change), code actions, hover."""

from __future__ import annotations

import os

from lsprotocol import types
from pygls.uris import to_fs_path

from migrate_lint.record import field, record
from migrate_lint.server import actions, hover
from migrate_lint.server.diagnostics import diagnostic, diagnostics
from migrate_lint.server.positions import offset, span_range
from migrate_lint.server.project import ClientOptions, Linted, Project

Docs = dict  # uri -> (version, text): the open buffers, as the event loop saw them


@record
class DocState:
    version: int | None
    linted: Linted
    generation: int = 0  # Session.generation when linted: settings may have changed since
    history: list = field(default_factory=list)  # replay findings, from the last replay

    @property
    def findings(self) -> list:
        if self.linted.result is None or not self.linted.migration:
            return []
        if self.linted.broken:
            return self.linted.result.findings  # ML000 alone: nothing else is trustworthy
        return self.linted.result.findings + self.history


def encode(text: str) -> bytes:
    # A lone surrogate cannot come from a file; keep it (the model then says "not UTF-8").
    return text.encode("utf-8", errors="surrogatepass")


def path_of(uri: str) -> str | None:
    if not uri.startswith("file:"):
        return None  # untitled buffers have no folder: not a migration
    path = to_fs_path(uri)
    return os.path.normpath(path) if path else None


class Session:
    def __init__(self, log):
        self.log = log
        self.project = Project()
        self.docs: dict[str, DocState] = {}
        self.capabilities: types.ClientCapabilities | None = None
        self._told: set[str] = set()  # configuration problems already shown
        self.generation = 0

    def invalidate(self) -> None:
        """Files or settings changed on disk: re-lint every buffer on its next request."""
        self.generation += 1
        self.project.forget_settings()
        self._told.clear()

    def configure(self, raw, initial: bool = False) -> None:
        options, problems = ClientOptions.parse(raw)
        for p in problems:
            self.log(f"migrate-lint: {p}", types.MessageType.Warning)
        if not initial:  # settings may withdraw trust, never grant it
            options.trusted = options.trusted and self.project.options.trusted
        self.project.configure(options)
        self.invalidate()

    # ------------------------------------------------------------------ diagnostics
    def _state(self, uri: str, docs: Docs) -> DocState | None:
        """The buffer linted at its current version (file rules; the replay is separate)."""
        if uri not in docs:
            return None
        version, text = docs[uri]
        path = path_of(uri)
        if path is None or not path.endswith(".php"):
            return None
        known = self.docs.get(uri)
        if known is not None and known.version == version and version is not None \
                and known.generation == self.generation:
            return known
        linted = self.project.lint(path, encode(text))
        if linted.problem and linted.result is None and linted.resolved is None \
                and linted.problem not in self._told:
            self._told.add(linted.problem)
            self.log(f"migrate-lint: {linted.problem}", types.MessageType.Error, show=True)
        state = DocState(version, linted, self.generation,
                         known.history if known is not None else [])
        self.docs[uri] = state
        return state

    def lint(self, uri: str, docs: Docs, encoding: str):
        """[(uri, version, diagnostics)] for the buffer and the open files whose replay
        findings changed with it."""
        state = self._state(uri, docs)
        if state is None:
            return [(uri, docs.get(uri, (None,))[0], [])]
        out = [uri]
        if self.project.wants_history(state.linted):
            out += self._replay(uri, state, docs)
        else:
            state.history = []
        return [(u, self.docs[u].version, self._diagnostics(self.docs[u], encoding))
                for u in out if u in self.docs]

    def _replay(self, uri: str, state: DocState, docs: Docs) -> list[str]:
        directory = os.path.dirname(state.linted.path)
        members: dict[str, DocState] = {}
        for other in docs:
            p = path_of(other)
            if p is not None and os.path.dirname(p) == directory and p.endswith(".php"):
                s = state if other == uri else self._state(other, docs)
                if s is not None and s.linted.result is not None:
                    members[other] = s
        buffers = {s.linted.path: s.linted.data for s in members.values()}
        given = {s.linted.path for s in members.values() if self.project.wants_history(s.linted)}
        _, found = self.project.history(directory, buffers, given, state.linted.resolved)
        changed = []
        for other, s in members.items():
            new = found.get(s.linted.path, [])
            if other != uri and _keys(new) != _keys(s.history):
                changed.append(other)
            s.history = new
        return changed

    def _diagnostics(self, state: DocState, encoding: str):
        source = state.linted.result.migration.source if state.linted.result else None
        return diagnostics(state.findings, source, encoding) if source is not None else []

    def close(self, uri: str, docs: Docs) -> list[str]:
        """Forget a closed buffer; the open migrations of its folder need a new replay (the
        file on disk replaces the buffer)."""
        state = self.docs.pop(uri, None)
        if state is None:
            return []
        self.project.forget_buffer(state.linted.path)
        directory = os.path.dirname(state.linted.path)
        return [u for u in docs if (p := path_of(u)) is not None and os.path.dirname(p) == directory]

    # ------------------------------------------------------------------ code actions
    def code_actions(self, params: types.CodeActionParams, docs: Docs, encoding: str):
        uri = params.text_document.uri
        state = self._state(uri, docs)
        if state is None or state.linted.result is None or not state.linted.migration:
            return None
        result = state.linted.result
        source = result.migration.source
        lo = offset(source, params.range.start, encoding)
        hi = offset(source, params.range.end, encoding)
        only = params.context.only
        wanted = (lambda kind: not only or any(kind == k or kind.startswith(k + ".")
                                               for k in only))
        out: list[types.CodeAction] = []
        resolved = state.linted.resolved
        under = [f for f in state.findings if f.span.start <= hi and lo <= f.span.end]
        if wanted(types.CodeActionKind.QuickFix):
            for f in under:
                diag = diagnostic(f, source, encoding)
                try:
                    fix = actions.fix_one(result, f, resolved.settings, resolved.template_dir)
                except actions.NotFixed as exc:
                    self.log(f"migrate-lint: {exc}", types.MessageType.Warning)
                    fix = None
                if fix is not None:
                    title = fix.message[:1].upper() + fix.message[1:]
                    out.append(types.CodeAction(
                        title=f"{title} ({f.code})", kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag], is_preferred=True,
                        edit=self._edit(uri, state.version, source, fix.edits, encoding)))
                edit = actions.suppression(result, f)
                if edit is not None:
                    out.append(types.CodeAction(
                        title=f"Suppress {f.code} on this line", kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        edit=self._edit(uri, state.version, source, [edit], encoding)))
        if any(f.fixable for f in result.findings):
            for kind in (types.CodeActionKind.QuickFix, FIX_ALL):
                if kind == types.CodeActionKind.QuickFix and not any(f.fixable for f in under):
                    continue
                if wanted(kind):
                    action = types.CodeAction(title="Fix all migrate-lint problems in this file",
                                              kind=kind, data={"uri": uri, "fixAll": True})
                    out.append(action if self._can_resolve() else
                               self.resolve(action, docs, encoding) or action)
        return [a for a in out if a.edit is not None or a.data is not None] or None

    def resolve(self, action: types.CodeAction, docs: Docs, encoding: str):
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        state = self._state(uri, docs) if isinstance(uri, str) else None
        if state is None or state.linted.result is None or not data.get("fixAll"):
            return action
        result, resolved = state.linted.result, state.linted.resolved
        try:
            new = actions.fix_all(result, resolved.settings, resolved.template_dir)
        except actions.NotFixed as exc:
            self.log(f"migrate-lint: {state.linted.path}: {exc}", types.MessageType.Warning)
            return action
        if new is not None:
            source = result.migration.source
            action.edit = self._edit(uri, state.version, source,
                                     [actions.replacement(source.data, new)], encoding)
        return action

    def _can_resolve(self) -> bool:
        td = self.capabilities and self.capabilities.text_document
        ca = td and td.code_action
        support = ca and ca.resolve_support
        return bool(support and "edit" in (support.properties or []))

    def _edit(self, uri, version, source, edits, encoding) -> types.WorkspaceEdit:
        text_edits = actions.text_edits(source, edits, encoding)
        ws = self.capabilities and self.capabilities.workspace
        if ws and ws.workspace_edit and ws.workspace_edit.document_changes:
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri,
                                                                           version=version),
                edits=text_edits)])
        return types.WorkspaceEdit(changes={uri: text_edits})

    # ------------------------------------------------------------------ hover
    def hover(self, params: types.HoverParams, docs: Docs, encoding: str):
        uri = params.text_document.uri
        state = self._state(uri, docs)
        if state is None or state.linted.result is None or not state.linted.migration:
            return None
        m = state.linted.result.migration
        at = offset(m.source, params.position, encoding)
        docs_md = hover.rule_docs(state.findings, at)
        target = hover.target_at(m, at) if m.error is None else None
        if target is None:
            return _hover(docs_md) if docs_md is not None else None
        buffers = {}
        for other in docs:
            p = path_of(other)
            if p is not None and os.path.dirname(p) == os.path.dirname(state.linted.path):
                s = self._state(other, docs)
                if s is not None:
                    buffers[p] = s.linted.data
        table = self.project.table_at(state.linted.path, buffers, state.linted.resolved,
                                      target.connection, target.table)
        text = hover.state_markdown(target, table)
        if docs_md is not None:
            text += "\n\n---\n\n" + docs_md
        return _hover(text, span_range(m.source, target.start, target.end, encoding))


FIX_ALL = actions.FIX_ALL_KIND


def _keys(findings) -> list:
    return [(f.code, f.span, f.message) for f in findings]


def _hover(markdown: str, rng=None) -> types.Hover:
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                    value=markdown), range=rng)

