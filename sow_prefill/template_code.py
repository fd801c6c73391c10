"""Compiling templates with their work counted: loops, ``~`` and literals go through filters.

Jinja compiles a ``{% for %}`` loop, a ``~`` concatenation and a ``[a, b]`` literal to plain
Python, where no sandbox hook sees them: a loop can run for minutes without a call or an output,
and ``{% set ns.s = ns.s ~ ns.s %}`` doubles a text in each pass. So before the code is
generated, the template's tree is rewritten to send them through the sandbox's own filters
(:data:`~sow_prefill.bounded_calls.SANDBOX_FILTERS`), which count and measure them. Recursive
loops are refused: a SoW has no tree to walk, and their inner calls would escape the count.
"""

from __future__ import annotations

from typing import Any, cast

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import TemplateAssertionError
from jinja2.visitor import NodeTransformer

from .bounded_calls import CONCAT_FILTER, LOOP_FILTER, SIZED_FILTER


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, after :class:`_CountWork` has rewritten the template."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        _CountWork(self).visit(node)
        super().visit_Template(node, frame)


class _CountWork(NodeTransformer):
    def __init__(self, generator: CodeGenerator) -> None:
        self.generator = generator

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        if node.recursive:
            raise TemplateAssertionError(
                "recursive loops are not allowed in a SoW template",
                node.lineno,
                self.generator.name,
                self.generator.filename,
            )
        node.iter = self._through(LOOP_FILTER, cast(nodes.Expr, node.iter))
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        if _literal(node):
            return node
        parts = nodes.Tuple(node.nodes, "load", lineno=node.lineno)
        return self._through(CONCAT_FILTER, parts)

    def visit_List(self, node: nodes.List) -> nodes.Node:
        return self._sized(node)

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        return node if node.ctx == "store" else self._sized(node)  # a target stays a target

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:
        return self._sized(node)

    def _sized(self, node: nodes.Expr) -> nodes.Node:
        self.generic_visit(node)
        return node if _literal(node) else self._through(SIZED_FILTER, node)

    def _through(self, name: str, node: nodes.Expr) -> nodes.Filter:
        wrapped = nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)
        wrapped.set_environment(self.generator.environment)
        return wrapped


def _literal(node: Any) -> bool:
    """Only constants inside: its size is fixed by the template's own text."""
    if isinstance(node, nodes.Const):
        return True
    if isinstance(node, nodes.List | nodes.Tuple | nodes.Dict | nodes.Pair | nodes.Concat):
        return all(_literal(child) for child in node.iter_child_nodes())
    return False
