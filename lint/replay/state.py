"""The schema state the replay builds: per connection, tables with columns and indexes.

Every fact is three-valued: YES (definitely), NO (definitely not), MAYBE (unknown). A column's
status is read *given that its table exists*; `Table.column_status` combines the two. Only
YES and NO facts may ever back a finding.
"""

from __future__ import annotations

from migrate_lint.record import field, record

YES, NO, MAYBE = "yes", "no", "maybe"
DEFAULT = "default"


@record(frozen=True)
class Origin:
    path: str
    line: int
    migration: str = ""  # base name, Laravel's key

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@record
class Column:
    name: str
    ctype: str | None
    status: str
    origin: Origin | None = None  # the step that made this fact


@record
class Index:
    name: str
    kind: str
    columns: tuple
    status: str
    origin: Origin | None = None
    references: tuple = ()  # a foreign key: (table, (columns, ...)) it points at


@record
class Table:
    name: str
    status: str
    origin: Origin | None = None  # who created it (None: it existed before the history)
    complete: bool = True  # every column is in `columns`: a column not listed does not exist
    columns: dict[str, Column] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    removed_by: Origin | None = None  # the drop or rename that made it NO
    notes: list[str] = field(default_factory=list)  # why some of it is unknown
    indexes_complete: bool = True  # every index is in `indexes`
    renamed_to: str | None = None  # removed by a rename to this table
    created_later: Origin | None = None  # NO on a fresh database until this migration

    def column(self, name: str) -> Column | None:
        return self.columns.get(name.lower())

    def column_status(self, name: str) -> str:
        """Existence of a column, table existence included."""
        if self.status == NO:
            return NO
        col = self.columns.get(name.lower())
        if col is not None:
            status = col.status
        else:
            status = NO if self.complete else MAYBE
        if self.status == MAYBE and status == YES:
            return MAYBE
        return status

    def copy(self, name: str | None = None) -> "Table":
        return Table(name or self.name, self.status, self.origin, self.complete,
                     {k: Column(c.name, c.ctype, c.status, c.origin) for k, c in self.columns.items()},
                     {k: Index(i.name, i.kind, i.columns, i.status, i.origin, i.references)
                      for k, i in self.indexes.items()}, self.removed_by, list(self.notes),
                     self.indexes_complete, self.renamed_to, self.created_later)

    def forget_columns(self, reason: str) -> None:
        self.complete = False
        self.indexes_complete = False
        for col in self.columns.values():
            if col.status == YES or col.status == NO:
                col.status = MAYBE
        # What changed columns unseen may have dropped or added indexes too.
        for index in self.indexes.values():
            if index.status == YES or index.status == NO:
                index.status = MAYBE
        if reason and reason not in self.notes:
            self.notes.append(reason)


@record
class Connection:
    name: str
    tables: dict[str, Table] = field(default_factory=dict)
    # closed: every table is in `tables` (a dump of a real database); open: a table never seen
    # may exist (created outside these migrations).
    closed: bool = False
    notes: list[str] = field(default_factory=list)

    def get(self, name: str) -> Table | None:
        return self.tables.get(name.lower())

    def status(self, name: str) -> str:
        t = self.tables.get(name.lower())
        if t is not None:
            return t.status
        return NO if self.closed else MAYBE

    def put(self, table: Table) -> Table:
        self.tables[table.name.lower()] = table
        return table

    def live_tables(self):
        return [t for t in self.tables.values() if t.status != NO]


@record
class SchemaState:
    connections: dict[str, Connection] = field(default_factory=dict)

    def clone(self) -> "SchemaState":
        return SchemaState({name: Connection(c.name, {k: t.copy() for k, t in c.tables.items()},
                                             c.closed, list(c.notes))
                            for name, c in self.connections.items()})

    def connection(self, name: str) -> Connection:
        conn = self.connections.get(name)
        if conn is None:
            conn = self.connections[name] = Connection(name)
        return conn
