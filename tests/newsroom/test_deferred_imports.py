"""`newsroom.deferred_imports`: a stand-in that imports its module on first use."""

import importlib
import sys
import threading

import pytest

from newsroom.deferred_imports import DeferredModule, defer_imports

# Each module counts its runs in this list, which lives in `sys` so that it outlives them.
PROBE = """
import sys
sys.deferred_probe_runs.append(__name__)
VALUE = 42
"""


@pytest.fixture
def probe_path(tmp_path, monkeypatch):
    """A folder on sys.path with a module and a package that record each run."""
    (tmp_path / "deferred_probe.py").write_text(PROBE)
    package = tmp_path / "deferred_probe_package"
    package.mkdir()
    (package / "__init__.py").write_text(PROBE)
    (package / "part.py").write_text("PART = 'part'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "deferred_probe_runs", [], raising=False)
    yield sys.deferred_probe_runs
    for name in ("deferred_probe", "deferred_probe_package", "deferred_probe_package.part"):
        sys.modules.pop(name, None)


def test_an_import_of_a_deferred_module_does_not_run_it(probe_path):
    defer_imports("deferred_probe")

    import deferred_probe

    assert isinstance(deferred_probe, DeferredModule)
    assert deferred_probe.__spec__.name == "deferred_probe"
    assert probe_path == []


def test_the_first_attribute_used_runs_the_module_once(probe_path):
    defer_imports("deferred_probe")
    import deferred_probe

    assert deferred_probe.VALUE == 42
    from deferred_probe import VALUE

    assert VALUE == 42
    assert probe_path == ["deferred_probe"]
    real = sys.modules["deferred_probe"]
    assert not isinstance(real, DeferredModule)
    assert importlib.import_module("deferred_probe") is real
    assert vars(deferred_probe)["VALUE"] == 42  # the stand-in holds the module's attributes


def test_an_attribute_the_module_lacks_raises_attribute_error(probe_path):
    defer_imports("deferred_probe")
    import deferred_probe

    with pytest.raises(AttributeError):
        deferred_probe.MISSING  # noqa: B018 - the access is the test
    assert probe_path == ["deferred_probe"]


def test_a_submodule_of_a_deferred_package_imports(probe_path):
    defer_imports("deferred_probe_package")

    from deferred_probe_package import part

    assert part.PART == "part"
    assert probe_path == ["deferred_probe_package"]


def test_threads_using_it_at_once_run_the_module_once(probe_path):
    defer_imports("deferred_probe")
    import deferred_probe

    start = threading.Barrier(8)
    values = []

    def use():
        start.wait()
        values.append(deferred_probe.VALUE)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert values == [42] * 8
    assert probe_path == ["deferred_probe"]


def test_a_module_not_installed_stays_absent(probe_path):
    defer_imports("deferred_probe_not_installed")

    assert "deferred_probe_not_installed" not in sys.modules
    with pytest.raises(ImportError):
        import deferred_probe_not_installed  # noqa: F401


def test_a_module_already_imported_is_left_alone(probe_path):
    import deferred_probe

    defer_imports("deferred_probe")

    assert sys.modules["deferred_probe"] is deferred_probe
    assert not isinstance(deferred_probe, DeferredModule)
    assert probe_path == ["deferred_probe"]
