"""What the rules' fix() functions share: template rendering and statement wrapping.

Every snippet a fix inserts is rendered from a jinja2 template in rules/templates (a project
can override any of them by name with `template-dir`). The template context:

  statement    the original statement, re-indented one level (wrapping templates)
  indent       the leading whitespace of the statement's line
  indent_unit  the file's own indentation step (a tab or N spaces)
  newline      the file's line ending ("\n" or "\r\n")
  schema       the schema builder prefix for checks: "Schema::" or "Schema::connection('x')->"
  table        the table expression as PHP code ("'tasks'", "$table->getTable()", ...)
  column(s)    column expressions as PHP code (drop-existing-columns: `columns` is one PHP
               array expression, `drop_call` the call over `$existingColumns`)
  kind, exists raw-ddl-guard: "table" or "column", and whether the guard runs the statement
               when they exist (a drop) or when they are missing (a create or an add)
"""

from __future__ import annotations

import re

from migrate_lint.findings import Edit, Fix, Span
from migrate_lint.model.names import arg_values, array_items, text


class TemplateProblem(Exception):
    """A template could not be rendered; the message names it."""


class FixEnv:
    def __init__(self, source, rule_ctx, template_dir=None):
        self.source = source
        self.rule_ctx = rule_ctx
        self.template_dir = template_dir
        self.indent_unit = source.indent_unit()
        self.newline = source.newline
        self.used_templates: set[str] = set()
        self._templates: dict = {}  # looked up once per file: each lookup stats the template file

    def render(self, name: str, **context) -> str:
        from migrate_lint.rules.templates_env import environment

        self.used_templates.add(name)
        try:
            template = self._templates.get(name)
            if template is None:
                env = environment(str(self.template_dir) if self.template_dir else None)
                template = self._templates[name] = env.get_template(name)
            return template.render(indent_unit=self.indent_unit, newline=self.newline, **context)
        except Exception as exc:  # jinja2's TemplateError and friends: name the template
            if type(exc).__name__ == "SecurityError":
                raise TemplateProblem(f"template {name} refused: it reaches outside the "
                                      f"template sandbox ({exc}); nothing was run") from None
            raise TemplateProblem(f"template {name}: {exc}") from None


def php_string(value: str, quote: str = "'") -> str:
    if quote == '"':
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
        return f'"{escaped}"'
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_of(*nodes) -> str:
    """The quote style of the guarded code: its first string argument's quote, so a guard
    does not mix `"users"` with `'x'`. Single quotes when it has none."""
    for node in nodes:
        if node is None:
            continue
        for arg in call_args(base_call(node)):
            for value in array_items(arg) or [arg]:
                if value.type in ("string", "encapsed_string"):
                    return '"' if text(value).startswith('"') else "'"
    return "'"


def base_call(node):
    """The first call of a chain `$table->string('x')->nullable()`: `$table->string('x')`."""
    cur = node
    while True:
        obj = cur.child_by_field_name("object")
        if obj is None or obj.type not in ("member_call_expression",
                                           "nullsafe_member_call_expression"):
            return cur
        cur = obj


def call_args(node) -> list:
    return arg_values(node.child_by_field_name("arguments"))


def name_code(name, node=None) -> str:
    """PHP code for a model Name: a literal, else the original expression's text."""
    if name.known:
        return php_string(name.value)
    return text(node) if node is not None else name.expr


def _closure_param(op):
    return op.closure.param if op.closure is not None else None


def schema_prefix(op, inside_closure: bool) -> str:
    builder = op.builder
    if builder in ("Schema", "\\Schema"):
        return builder + "::"
    if builder.startswith("$") and inside_closure:
        # A local builder variable is not visible inside the closure: name the connection.
        return f"Schema::connection({op.connection})->" if op.connection else "Schema::"
    return builder + "->"


def table_code(op, inside_closure: bool, quote: str | None = None) -> str:
    first = call_args(op.node)[0]
    if op.table.known and first.type in ("string", "encapsed_string"):
        return php_string(op.table.value, quote) if quote else text(first)
    if inside_closure and _closure_param(op):
        # An outer variable is not visible inside the closure; the blueprint knows its table.
        return f"{_closure_param(op)}->getTable()"
    return text(first)


def call_table_code(call, quote: str | None = None) -> str:
    """The table of a Blueprint call as PHP code usable where the call is written (a literal
    table in quote, when given: the guard follows the guarded call's quote style)."""
    if call.shared:
        return f"{call.var}->getTable()"
    return table_code(call.op, True, quote)


def is_literal(node) -> bool:
    return node is not None and node.type in ("string", "encapsed_string")


def reindent(statement: str, indent: str, unit: str) -> str:
    lines = statement.split("\n")
    if "<<<" in statement:  # heredoc bodies and closing markers must not move
        return indent + unit + statement
    out = [indent + unit + lines[0]]
    for line in lines[1:]:
        out.append(unit + line if line.strip() else line)
    return "\n".join(out)


def statement_text(source, span) -> str:
    return source.data[span.start:span.end].decode("utf-8", "surrogateescape")


_TRAILING_COMMENT = re.compile(rb"[ \t]*(?://|#(?!\[)|/\*(?:(?!\*/).)*\*/[ \t]*$)[^\r\n]*")


def trailing_comment_end(source, end: int) -> int:
    """Where a comment that follows the statement on its line ends (end when there is none):
    `$x; // why` keeps its comment on its line when the statement is wrapped."""
    m = _TRAILING_COMMENT.match(source.data, end)
    if m is None or b"?>" in m.group(0):
        return end
    return m.end()


def wrap(env: FixEnv, span, template: str, message: str, **context) -> Fix:
    """Replace the statement at span (and its trailing comment) by the template rendered
    around it."""
    source = env.source
    indent = source.indent_at(span.start)
    end = trailing_comment_end(source, span.end)
    inner = reindent(statement_text(source, Span(span.start, end, 0, 0, 0, 0)), indent,
                     env.indent_unit)
    rendered = env.render(template, statement=inner, indent=indent, **context)
    # The statement keeps its place on the line: the template's first line replaces it there.
    return Fix(message, (Edit(span.start, end, rendered),))


def arrow_to_closure(env: FixEnv, op, message: str) -> Fix | None:
    """`fn ($t) => $t->x()` cannot hold an `if`: make it `function ($t) use (...) { ... }`."""
    fn = op.closure.node if op.closure is not None else None
    if fn is None or fn.type != "arrow_function":
        return None
    params = fn.child_by_field_name("parameters")
    body = fn.child_by_field_name("body")
    if params is None or body is None:
        return None
    param_names = set()
    for p in params.named_children:
        pname = p.child_by_field_name("name")
        if pname is not None:
            param_names.add(text(pname))
    uses = []
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "variable_name":
            var = text(node)
            if var not in param_names and var != "$this" and var not in uses:
                uses.append(var)
        elif node.type not in ("anonymous_function", "arrow_function"):
            stack.extend(node.children)
    return_type = fn.child_by_field_name("return_type")
    static = "static " if any(c.type == "static_modifier" for c in fn.children) else ""
    indent = env.source.indent_at(op.span.start)
    rendered = env.render("arrow-to-closure.php.j2", static=static, parameters=text(params),
                          uses=sorted(uses), body=text(body), indent=indent,
                          return_type=(": " + text(return_type)) if return_type is not None
                          else "")
    return Fix(message, (Edit(fn.start_byte, fn.end_byte, rendered),))
