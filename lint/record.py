"""Records: the part of dataclasses this project uses, without their import-time cost.

`dataclasses` compiles five or so methods per class from source at import, about 1 ms a class;
with some 30 classes on the path of a one-file run, that was a fifth of a pre-commit run.
Here only `__init__` is compiled (it is the one hot method); `__eq__`, `__hash__` and
`__repr__` are shared functions over an `attrgetter`. Same semantics as
`dataclass(eq=True, frozen=...)` for what we use: defaults and `field(default_factory=...,
repr=, compare=, hash=)`, inheritance of fields, `__post_init__`, frozen instances
(`FrozenInstanceError`; unhashable when not frozen), `replace()` and `fields()`.
"""

from __future__ import annotations

from operator import attrgetter

MISSING = object()


class FrozenInstanceError(AttributeError):
    pass


class Field:
    __slots__ = ("name", "default", "default_factory", "repr", "compare", "hash")

    def __init__(self, default=MISSING, default_factory=MISSING, repr=True, compare=True,
                 hash=None):
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare
        self.hash = compare if hash is None else hash

    def __repr__(self):
        return f"Field(name={self.name!r})"


def field(*, default=MISSING, default_factory=MISSING, repr=True, compare=True, hash=None):
    return Field(default, default_factory, repr, compare, hash)


def record(cls=None, /, *, frozen: bool = False):
    """`@record` or `@record(frozen=True)` on a class with annotated fields."""
    def wrap(c):
        return _build(c, frozen)
    return wrap if cls is None else wrap(cls)


def fields(obj) -> tuple[Field, ...]:
    """The fields of a record class or instance, in __init__ order."""
    return tuple(obj.__record_fields__.values())


def replace(obj, /, **changes):
    """A copy of `obj` with `changes`, through `__init__` (and `__post_init__`) as dataclasses do."""
    for f in obj.__record_fields__.values():
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def _build(cls, frozen):
    own = cls.__dict__
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(getattr(base, "__record_fields__", {}))
    for name, annotation in own.get("__annotations__", {}).items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = own.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name = name
        found[name] = f
        # As dataclasses: a plain default stays a class attribute, a factory leaves none.
        if f.default is not MISSING:
            setattr(cls, name, f.default)
        elif isinstance(value, Field):
            delattr(cls, name)
    cls.__record_fields__ = found
    cls.__init__ = _init(cls, list(found.values()), frozen)
    _shared(cls, found.values(), frozen)
    return cls


def _init(cls, fs, frozen):
    args, body, env = [], [], {"MISSING": MISSING}
    seen_default = False
    for f in fs:
        if f.default is not MISSING:
            env[f"_d_{f.name}"] = f.default
            args.append(f"{f.name}=_d_{f.name}")
            value = f.name
            seen_default = True
        elif f.default_factory is not MISSING:
            env[f"_f_{f.name}"] = f.default_factory
            args.append(f"{f.name}=MISSING")
            value = f"_f_{f.name}() if {f.name} is MISSING else {f.name}"
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
            args.append(f.name)
            value = f.name
        # A frozen record's fields are set past its __setattr__, straight into the instance.
        body.append(f"d[{f.name!r}] = {value}" if frozen else f"self.{f.name} = {value}")
    if frozen and body:
        body.insert(0, "d = self.__dict__")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = (f"def __init__(self, {', '.join(args)}):\n    "
              + "\n    ".join(body or ["pass"]) + "\n")
    exec(source, env)  # noqa: S102 - source built here from the class's own field names
    fn = env["__init__"]
    fn.__qualname__ = f"{cls.__qualname__}.__init__"
    return fn


def _shared(cls, fs, frozen):
    own = cls.__dict__
    compared = [f.name for f in fs if f.compare]
    hashed = [f.name for f in fs if f.hash]
    shown = [f.name for f in fs if f.repr]
    key = _tuple_getter(compared)
    if "__eq__" not in own:
        def __eq__(self, other):
            if other.__class__ is self.__class__:
                return key(self) == key(other)
            return NotImplemented
        cls.__eq__ = __eq__
    if "__hash__" not in own:
        if frozen:
            hkey = _tuple_getter(hashed)
            cls.__hash__ = lambda self: hash(hkey(self))
        else:
            cls.__hash__ = None
    if "__repr__" not in own:
        def __repr__(self):
            inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
            return f"{self.__class__.__qualname__}({inner})"
        cls.__repr__ = __repr__
    if frozen:
        names = set(own["__record_fields__"])

        def __setattr__(self, name, value):
            if type(self) is cls or name in names:
                raise FrozenInstanceError(f"cannot assign to field {name!r}")
            super(cls, self).__setattr__(name, value)

        def __delattr__(self, name):
            if type(self) is cls or name in names:
                raise FrozenInstanceError(f"cannot delete field {name!r}")
            super(cls, self).__delattr__(name)
        cls.__setattr__ = __setattr__
        cls.__delattr__ = __delattr__


def _tuple_getter(names):
    """attrgetter that always returns a tuple, as dataclasses compare and hash tuples."""
    if not names:
        return lambda self: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return attrgetter(*names)
