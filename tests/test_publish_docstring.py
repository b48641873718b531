"""The usage example in kg.publish's docstring calls each function with arguments it takes."""

import ast
import inspect

import kg.publish


def _example_calls() -> list[ast.Call]:
    code = "\n".join(line[4:] for line in kg.publish.__doc__.splitlines() if line.startswith("    "))
    return [node for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]


def test_the_docstring_example_binds_to_the_signatures():
    calls = _example_calls()
    assert {c.func.id for c in calls} == {"open_read_only", "make_app", "serve", "publish_site"}
    for call in calls:
        signature = inspect.signature(getattr(kg.publish, call.func.id))
        # bind() raises TypeError for an argument the function does not take (or a missing one)
        signature.bind(*[None] * len(call.args), **{k.arg: None for k in call.keywords})


def test_a_wrong_argument_is_caught():
    call = ast.parse('serve(store, base="x", port=8000)').body[0].value
    signature = inspect.signature(kg.publish.serve)
    try:
        signature.bind(*[None] * len(call.args), **{k.arg: None for k in call.keywords})
    except TypeError:
        return
    raise AssertionError("serve(store, base=...) should not bind")
