"""The hand-written stubs (`lifeos/__init__.pyi`) name exactly what the module has."""

import ast
import inspect
import pathlib

import lifeos

STUBS = pathlib.Path(__file__).resolve().parents[1] / "python" / "lifeos" / "__init__.pyi"


def stub_tree():
    return ast.parse(STUBS.read_text(encoding="utf-8"))


def test_the_package_is_typed_and_its_names_match_the_stubs():
    assert (STUBS.parent / "py.typed").exists()
    tree = stub_tree()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    assert set(lifeos.__all__) <= names
    assert {n for n in dir(lifeos) if not n.startswith("_") and n != "lifeos"} == set(lifeos.__all__)


def test_lifeos_methods_match_the_stubs():
    cls = next(n for n in stub_tree().body if isinstance(n, ast.ClassDef) and n.name == "LifeOS")
    stubbed = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)} - {"__init__"}
    runtime = {n for n, _ in inspect.getmembers(lifeos.LifeOS) if not n.startswith("_")}
    assert stubbed == runtime
