"""Collections whose iteration order is not fixed between runs, as far as one expression shows it.

Strings hash differently in every interpreter (``PYTHONHASHSEED``), so a set of strings is iterated in a
different order from run to run. Only expressions whose elements are visibly strings count: a set display
of string literals, a set comprehension building f-strings or ``str(...)``, and ``set``/``frozenset`` of a
literal sequence of strings, of a string, or of ``.split()``. A set held in a variable is not followed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..ruleset.schema import ITERATED_KINDS

STRING_SET = ITERATED_KINDS[0]

#: Built-in callables that consume their first argument in iteration order.
ORDERED_CONSUMERS = frozenset({"list", "tuple", "enumerate"})
_SET_BUILDERS = frozenset({"set", "frozenset"})
_STRING_METHODS = frozenset({"split", "splitlines", "rsplit"})


def is_string_set(node: ast.expr, is_builtin: Callable[[str], bool]) -> bool:
    """Whether ``node`` visibly builds a set of two or more strings."""
    if isinstance(node, ast.Set):
        return _all_strings(node.elts, is_builtin)
    if isinstance(node, ast.SetComp):
        return _is_string_value(node.elt, is_builtin)
    if isinstance(node, ast.Call) and _builtin_name(node.func, is_builtin) in _SET_BUILDERS:
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            return False
        source = node.args[0]
        if isinstance(source, (ast.List, ast.Tuple, ast.Set)):
            return _all_strings(source.elts, is_builtin)
        if isinstance(source, ast.Constant) and isinstance(source.value, (str, bytes)):
            return isinstance(source.value, str) and len(set(source.value)) > 1
        if isinstance(source, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return _is_string_value(source.elt, is_builtin)
        return (isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute)
                and source.func.attr in _STRING_METHODS)
    return False


def _all_strings(elements: list[ast.expr], is_builtin) -> bool:
    return len(elements) > 1 and all(
        not isinstance(e, ast.Starred) and _is_string_value(e, is_builtin) for e in elements
    )


def _is_string_value(node: ast.expr, is_builtin) -> bool:
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))):
        return True
    return isinstance(node, ast.Call) and _builtin_name(node.func, is_builtin) == "str"


def _builtin_name(func: ast.expr, is_builtin) -> str | None:
    return func.id if isinstance(func, ast.Name) and is_builtin(func.id) else None


#: Built-in callables whose result does not depend on the order of their argument's items.
ORDER_INSENSITIVE = frozenset({"sorted", "len", "set", "frozenset", "sum", "any", "all", "max", "min"})
_SEQUENCE_WRAPPERS = frozenset({"list", "tuple"})


def holder_text(node: ast.expr) -> str | None:
    """The name a listing is kept in: ``files`` or ``self.files`` (a plain name, or an attribute of one)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


class ListingOrder:
    """Calls whose result comes in the file system's order (call matchers with ``unordered: true``:
    ``os.listdir``, ``glob.glob``, ``Path.iterdir`` ...), and whether the code puts it in order.

    Mixed into the walker, which provides ``scope``, ``is_builtin``, ``kinds_of`` and ``facts``. A listing is
    not reported when an order-insensitive built-in takes it (``sorted(...)``, ``len(...)``, ``set(...)``,
    possibly through ``list(...)``, ``map``, ``filter`` or a comprehension over it), or when a name or ``self``
    attribute that holds it (assigned from it, from a comprehension over it, or bound by ``with ... as``) is
    sorted later in the same function (``files.sort()``, ``sorted(e.name for e in entries)``); the walker
    visits a call before its arguments, so the first case is known before the listing is matched, and the
    second drops the finding afterwards.

    The same holders serve call matchers with ``seeded_by_method``: ``rng = random.Random()`` is withdrawn by
    a later ``rng.seed(0)`` in the same function (not by ``rng.seed()``, ``None`` or a run-dependent seed).
    """

    def _init_listing_order(self) -> None:
        self._ordered_nodes: set[int] = set()  # listings taken by an order-insensitive built-in
        self._holders: dict[int, str] = {}  # id of a listing call -> the name it is assigned to
        self._held: dict[tuple[int, str], list] = {}  # (scope, name) -> the candidates of its listings
        self._unseeded: dict[tuple[int, str], list] = {}  # (scope, name) -> (seeding methods, candidate)

    def note_ordering(self, node: ast.Call) -> None:
        """Every call: ``sorted(x)``, ``len(x)``, ``x.sort()`` put ``x`` in order or ignore its order."""
        func = node.func
        if isinstance(func, ast.Name) and func.id in ORDER_INSENSITIVE and node.args and self.is_builtin(func.id):
            sources = self._sources(node.args[0])
        elif isinstance(func, ast.Attribute) and func.attr == "sort":
            sources = [func.value]
        else:
            self._note_seeding(node)
            return
        for argument in sources:
            self._ordered_nodes.add(id(argument))
            holder = holder_text(argument)
            if holder is not None:
                for candidate in self._held.pop((id(self.scope), holder), ()):
                    self._drop_candidate(candidate)

    def note_holder(self, target: ast.expr, value: ast.expr) -> None:
        """An assignment or ``with ... as``: remember which name holds a call's result, in case it is a
        listing; a name assigned from a held listing (``names = [e.name for e in entries]``) holds it too."""
        holder = holder_text(target)
        if holder is None:
            return
        for source in self._sources(value) if value.__class__ in _TAKES_ITEMS else (value,):
            if source.__class__ is ast.Call:  # only a call's result can be a listing
                self._holders[id(source)] = holder
            held = self._held.get((id(self.scope), holder_text(source) or "")) if self._held else None
            if held:
                self._held.setdefault((id(self.scope), holder), []).extend(held)

    def listing_in_order(self, node: ast.Call) -> bool:
        """Whether the listing ``node`` is already known to be put in order (so it is not reported)."""
        return id(node) in self._ordered_nodes

    def listing_recorded(self, node: ast.Call, candidate) -> None:
        """A reported listing: keep it where a later sort of its name in this function can withdraw it."""
        holder = self._holders.get(id(node))
        if holder is not None:
            self._held.setdefault((id(self.scope), holder), []).append(candidate)

    def unseeded_recorded(self, node: ast.Call, candidate, methods: tuple[str, ...]) -> None:
        """A reported generator: keep it where a later ``holder.<method>(seed)`` in this function can withdraw it."""
        holder = self._holders.get(id(node))
        if holder is not None:
            self._unseeded.setdefault((id(self.scope), holder), []).append((methods, candidate))

    def _note_seeding(self, node: ast.Call) -> None:
        """``holder.seed(s)`` withdraws the unseeded generator that ``holder`` holds; any other method called on
        it first (a draw: ``rng.shuffle(files)``) leaves the finding in place."""
        if not self._unseeded:
            return
        func = node.func
        holder = holder_text(func.value) if isinstance(func, ast.Attribute) else None
        key = (id(self.scope), holder or "")
        if holder is None or key not in self._unseeded:
            return
        kept = []
        for methods, candidate in self._unseeded.pop(key):
            if func.attr not in methods:
                continue  # drawn from before any seed
            if self._gives_a_seed(node):
                self._drop_candidate(candidate)
            else:
                kept.append((methods, candidate))  # ``rng.seed()``, ``rng.seed(None)``: still unseeded
        if kept:
            self._unseeded[key] = kept

    def _gives_a_seed(self, node: ast.Call) -> bool:
        """One argument, given by position or keyword, that is not ``None`` nor run-dependent."""
        given = [*node.args, *node.keywords]
        if len(given) != 1 or isinstance(given[0], ast.Starred) or getattr(given[0], "arg", "") is None:
            return False
        seed = given[0].value if isinstance(given[0], ast.keyword) else given[0]
        if isinstance(seed, ast.Constant) and seed.value is None:
            return False
        return "run-dependent" not in self.kinds_of(seed, ("run-dependent",))

    def _sources(self, node: ast.expr) -> list[ast.expr]:
        """What ``node`` takes its items from, in their order: itself, or what ``list``/``tuple``, ``map``,
        ``filter`` or a comprehension iterate over."""
        node = _unwrapped(node, self.is_builtin)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return [source for generator in node.generators for source in self._sources(generator.iter)]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _ITEM_MAPPERS
                and len(node.args) >= 2 and not node.keywords and self.is_builtin(node.func.id)):
            return [source for argument in node.args[1:] for source in self._sources(argument)]
        return [node]


_ITEM_MAPPERS = frozenset({"map", "filter"})  # keep the order of the iterables after their first argument
#: The nodes ``_sources`` looks through; any other is its own source.
_TAKES_ITEMS = frozenset({ast.Call, ast.ListComp, ast.GeneratorExp, ast.SetComp})


def _unwrapped(node: ast.expr, is_builtin) -> ast.expr:
    """``list(x)`` and ``tuple(x)`` keep the order of ``x``: look through them."""
    while (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SEQUENCE_WRAPPERS
           and len(node.args) == 1 and not node.keywords and is_builtin(node.func.id)):
        node = node.args[0]
    return node
