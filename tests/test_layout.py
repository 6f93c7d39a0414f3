"""The layout holds: topics own their files, nothing imports a private name, the README's layout matches."""

import ast
import re
from pathlib import Path

from verification import topics

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agents", "continuum", "verification", "benchmarks", "examples")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name, []


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _sources():
    for pkg in PACKAGES:
        yield from sorted((ROOT / pkg).rglob("*.py"))


def test_no_module_imports_a_private_name():
    bad = []
    for path in _sources():
        for line, module, names in _imports(path):
            if module == "__future__":
                continue
            if any(_private(part) for part in module.split(".")):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports module {module}")
            bad += [f"{path.relative_to(ROOT)}:{line} imports {module}.{n}" for n in names if _private(n)]
    assert not bad, "\n".join(bad)


def test_agents_and_continuum_do_not_import_each_other_or_verification_topics():
    bad = []
    for pkg, other in (("agents", "continuum"), ("continuum", "agents")):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            for line, module, names in _imports(path):
                top = module.split(".")[0]
                shared = ("verification.random_streams", "verification.validation")  # the model-level helpers
                named = [module] if module != "verification" else [f"verification.{n}" for n in names]
                if top == other or (top == "verification" and not all(m in shared for m in named)):
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not bad, "\n".join(bad)


def test_topics_import_only_the_framework_their_own_topic_and_other_topics_derivations():
    # except where topics.BUILDS_ON declares that a topic is built on another's reference results
    bad = []
    for topic in topics.TOPICS:
        for path in sorted((ROOT / "verification" / topic).glob("*.py")):
            for line, module, names in _imports(path):
                parts = module.split(".")
                if parts[0] != "verification" or len(parts) < 2:
                    continue
                if parts[1] == "cli":
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports the command line layer")
                derivation = parts[2:] == ["derivation"] or (len(parts) == 2 and names == ["derivation"])
                declared = parts[1] in topics.BUILDS_ON.get(topic, ())
                if parts[1] in topics.TOPICS and parts[1] != topic and not derivation and not declared:
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports {module} (another topic)")
    assert not bad, "\n".join(bad)


def test_topic_list_matches_the_folders():
    folders = {p.name for p in (ROOT / "verification").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(topics.TOPICS)


def test_readme_layout_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Layout\n\n```\n(.*?)```", readme, re.S).group(1)
    for topic in topics.TOPICS:
        assert re.search(rf"^\s+{topic}/", block, re.M), f"README layout misses verification/{topic}/"
    for path in sorted((ROOT / "verification").glob("*.py")):
        if path.name != "__init__.py":
            assert path.name in block, f"README layout misses verification/{path.name}"
    for path in sorted((ROOT / "agents").glob("*.py")) + sorted((ROOT / "continuum").glob("*.py")):
        if path.name != "__init__.py":
            assert path.name in block, f"README layout misses {path.parent.name}/{path.name}"
    named = set(re.findall(r"^\s{2,}([a-z_0-9]+\.py)\b", block, re.M))
    existing = {p.name for pkg in ("agents", "continuum", "verification") for p in (ROOT / pkg).glob("*.py")}
    assert named <= existing, f"README layout names files that do not exist: {sorted(named - existing)}"
