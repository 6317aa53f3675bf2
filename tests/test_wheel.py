"""The companion package builds into a wheel that carries every sub-package and its version."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_builds_with_version_and_subpackages(tmp_path):
    project = tomllib.loads((ROOT / "companion" / "pyproject.toml").read_text())["project"]
    # Build from a copy: setuptools writes build/ and *.egg-info into the source folder.
    source_copy = tmp_path / "companion"
    shutil.copytree(ROOT / "companion", source_copy, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    wheel_dir = tmp_path / "dist"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(wheel_dir),
            str(source_copy),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    wheels = list(wheel_dir.glob("trustlab-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, found {wheels}"
    assert wheels[0].name.startswith(f"trustlab-{project['version']}-")
    names = zipfile.ZipFile(wheels[0]).namelist()
    source = ROOT / "companion" / "src"
    expected = {p.relative_to(source).as_posix() for p in source.rglob("*.py")}
    missing = expected - set(names)
    assert not missing, f"modules missing from the wheel: {sorted(missing)}"
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheels[0]).read(metadata).decode()
    assert f"Version: {project['version']}" in text


def test_changelog_and_citation_name_the_current_version():
    version = tomllib.loads((ROOT / "companion" / "pyproject.toml").read_text())["project"]["version"]
    assert f"## {version} " in (ROOT / "CHANGELOG.md").read_text(), "CHANGELOG.md lacks this version"
    assert f"version: {version}" in (ROOT / "CITATION.cff").read_text(), "CITATION.cff lacks this version"
