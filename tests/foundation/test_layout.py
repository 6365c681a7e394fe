import importlib
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_platform_gives_the_standard_library_module():
    import platform

    assert Path(platform.__file__).parent == Path(sysconfig.get_paths()["stdlib"])
    assert callable(platform.python_version)


def test_platform_folder_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_top_level_layout():
    for name in ("platform", "modules", "therapist", "messaging", "tests", "deploy", "pyproject.toml", "README.md"):
        assert (ROOT / name).exists(), name


def test_core_package_lives_in_platform():
    core = importlib.import_module("paceway")
    assert Path(core.__file__).parent.parent == ROOT / "platform"


def test_it_audits_reads_in_the_read_modules_not_in_the_edges():
    """Views and API views parse, call and render: a read of health data is audited by the
    ``reads.py`` function that reads it (``paceway.audit.reads.audited_read``), never at the edge."""
    edges = [
        path
        for folder in ("platform", "modules", "therapist", "messaging")
        for pattern in ("views.py", "api.py", "views/*.py")
        for path in (ROOT / folder).rglob(pattern)
    ]
    assert edges
    calling_audit = [str(path.relative_to(ROOT)) for path in edges if "audit(" in path.read_text()]
    assert calling_audit == []


def test_it_keeps_test_names_to_sentences_about_behaviour():
    """CONTRIBUTING.md: a test's name says what a user would notice, in at least three words."""
    import re

    names = [
        (str(path.relative_to(ROOT)), name)
        for path in (ROOT / "tests").rglob("test_*.py")
        for name in re.findall(r"^(?:async )?def (test_\w+)\(", path.read_text(), flags=re.MULTILINE)
    ]
    assert len(names) > 500
    too_short = [(path, name) for path, name in names if len(name.removeprefix("test_").split("_")) < 3]
    assert too_short == []
