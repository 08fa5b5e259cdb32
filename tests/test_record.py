"""lint/record.py behaves as dataclasses do for what the project uses: checked side by side."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from migrate_lint import record as R


def _pair(frozen):
    """The same class built by dataclasses and by record."""
    def body(field):
        class Point:
            x: int
            y: int = 0
            tags: list = field(default_factory=list)
            note: str = field(default="", compare=False, repr=False)
            memo: dict = field(default_factory=dict, compare=False, hash=False)
        return Point
    return (dataclasses.dataclass(frozen=frozen)(body(dataclasses.field)),
            R.record(frozen=frozen)(body(R.field)))


@pytest.mark.parametrize("frozen", [True, False])
def test_same_behaviour_as_dataclasses(frozen):
    for cls in _pair(frozen):
        a, b = cls(1, 2, note="a"), cls(1, 2, note="b")
        assert a == b and a.tags == [] and a.tags is not b.tags  # factory per instance
        assert cls(1) == cls(1, 0) and cls(1) != cls(2)
        assert cls(1, tags=[1]) != cls(1)
        assert (a == 3) is False and a.__eq__(3) is NotImplemented
        assert "note" not in repr(a) and repr(a).endswith("Point(x=1, y=2, tags=[], memo={})")
        assert cls.y == 0 and not hasattr(cls, "tags")  # defaults stay on the class, factories not
        with pytest.raises(TypeError):
            cls()
        if frozen:
            assert hash(cls(1, 2, (), "a")) == hash(cls(1, 2, (), "b", {"m": 1}))
            with pytest.raises(AttributeError):
                a.x = 5
            with pytest.raises(AttributeError):
                del a.y
        else:
            with pytest.raises(TypeError):
                hash(a)
            a.x = 5
            assert a.x == 5


def test_hash_matches_dataclasses():
    """Set order of records must not change with the switch: the hashes are the same."""
    dc, rec = _pair(True)
    assert hash(dc(1, 2, ("t",))) == hash(rec(1, 2, ("t",)))


def test_frozen_error_is_an_attribute_error_like_dataclasses():
    _, rec = _pair(True)
    with pytest.raises(R.FrozenInstanceError, match="cannot assign to field 'x'"):
        rec(1).x = 2


def test_records_cross_a_process_boundary():
    """The pool returns findings by pickle: a frozen record survives it, equal and hashable."""
    from migrate_lint.findings import Finding, Span
    f = Finding("ML001", "name", "a.php", Span(1, 2, 3, 4, 5, 6), "message", extra={"k": 1})
    back = pickle.loads(pickle.dumps(f))
    assert back == f and hash(back) == hash(f) and back.extra == {"k": 1}


def test_replace_runs_post_init_and_fields_in_order():
    @R.record(frozen=True)
    class Name:
        text: str
        upper: str = ""

        def __post_init__(self):
            object.__setattr__(self, "upper", self.text.upper())

    n = R.replace(Name("ab"), text="cd")
    assert (n.text, n.upper) == ("cd", "CD")
    assert [f.name for f in R.fields(Name)] == ["text", "upper"] == \
        [f.name for f in R.fields(n)]


def test_inherited_fields_come_first_and_can_be_overridden():
    @R.record
    class Base:
        path: str
        kind: str = "dump"

    @R.record
    class Child(Base):
        url: str = ""
        kind: str = "database"

    c = Child("p", url="u")
    assert (c.path, c.kind, c.url) == ("p", "database", "u")
    assert [f.name for f in R.fields(Child)] == ["path", "kind", "url"]
    assert Child("p") != Base("p")


def test_explicit_methods_are_kept():
    @R.record(frozen=True)
    class Secret:
        value: str

        def __repr__(self):
            return "Secret(***)"

    assert repr(Secret("x")) == "Secret(***)"


def test_non_default_after_default_is_refused():
    with pytest.raises(TypeError):
        @R.record
        class Bad:
            a: int = 1
            b: int
