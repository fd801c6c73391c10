"""Reading Jinja2 templates' syntax trees: which functions they call, with what, over what."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import nodes


def called_name(call: nodes.Call) -> str | None:
    return call.node.name if isinstance(call.node, nodes.Name) else None


def constant_argument(call: nodes.Call, index: int) -> str | None:
    if len(call.args) > index:
        argument = call.args[index]
        if isinstance(argument, nodes.Const) and isinstance(argument.value, str):
            return argument.value
    return None


def name_of(node: nodes.Node | None) -> str | None:
    return node.name if isinstance(node, nodes.Name) else None


def record_groups(ast: nodes.Template) -> dict[str, str]:
    """Loop variables over ``records("g")`` and names set to their ``.data``, each with its group;
    over ``records(record, "n")``, the group nested in ``record``'s: ``g.n``."""
    groups: dict[str, str] = {}
    for loop in ast.find_all(nodes.For):  # outer loops first, so a nested loop finds its owner
        target = name_of(loop.target)
        if target and isinstance(loop.iter, nodes.Call) and called_name(loop.iter) == "records":
            group = constant_argument(loop.iter, 0)
            owner = name_of(loop.iter.args[0]) if loop.iter.args else None
            nested = constant_argument(loop.iter, 1)
            if group:
                groups[target] = group
            elif owner in groups and nested:
                groups[target] = f"{groups[owner]}.{nested}"
    for assign in ast.find_all(nodes.Assign):
        target = name_of(assign.target)
        owner = data_owner(assign.node, groups)
        if target and owner:
            groups[target] = groups[owner]
    return groups


def data_owner(node: nodes.Node, groups: Mapping[str, str]) -> str | None:
    """``record`` for ``record.data`` (or a name set to it), when ``record`` walks a group."""
    if isinstance(node, nodes.Getattr) and node.attr == "data":
        owner = name_of(node.node)
        return owner if owner in groups else None
    name = name_of(node)
    return name if name in groups else None
