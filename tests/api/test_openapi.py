import json
from pathlib import Path

from hall.config import load_config
from hall.server import PUBLIC_PATHS, create_app, openapi_json
from tests.support.halls import write_small_hall

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi" / "hall.json"


def test_committed_openapi_is_current(tmp_path):
    app = create_app(load_config(write_small_hall(tmp_path)), tmp_path / "data")
    assert COMMITTED.read_text(encoding="utf-8") == openapi_json(app), (
        "docs/openapi/hall.json is out of date: run `make openapi` and commit it"
    )


def test_every_operation_documents_its_errors():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if path == "/health":
                continue
            # the follow page's data is public on purpose: its signed link is the key (404 when wrong);
            # so are the pages the server lists as public (a guide's notice for a phone: /g/{code})
            paged = path.startswith("/public/") or path in PUBLIC_PATHS
            public = path == "/api/v1/auth/login" or paged
            assert "401" in op["responses"] or public, f"{method} {path}"
            assert "404" in op["responses"] or not paged, f"{method} {path}"
            assert "422" in op["responses"], f"{method} {path}"


def test_every_schema_reference_resolves():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    components = schema["components"]["schemas"]
    refs: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema["paths"])
    walk(components)
    assert "#/components/schemas/ErrorBody" in refs
    missing = sorted(r for r in refs if r.removeprefix("#/components/schemas/") not in components)
    assert not missing, f"references to schemas the map does not hold: {missing}"
