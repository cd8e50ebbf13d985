"""The CI and packaging files: YAML parses and says what CI needs,
scripts are executable, the README starts with the two commands."""

import os
import re
import stat

import pytest

from conftest import ROOT

yaml = pytest.importorskip("yaml")


def load(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return yaml.safe_load(f)


def steps(wf):
    for job in wf["jobs"].values():
        for s in job.get("steps", []):
            yield s


def test_project_yaml():
    assert load(".clusterfuzzlite/project.yaml")["language"] == "c"


def test_cflite_dockerfile():
    with open(os.path.join(ROOT, ".clusterfuzzlite/Dockerfile")) as f:
        text = f.read()
    assert re.search(r"^FROM gcr.io/oss-fuzz-base/base-builder", text, re.M)
    assert "libbsd-dev" in text


@pytest.mark.parametrize("name,modes", [("cflite_pr.yml", {"code-change"}),
                                        ("cflite_batch.yml",
                                         {"batch", "prune"})])
def test_workflow(name, modes):
    wf = load(".github/workflows/" + name)
    assert wf["jobs"]
    uses = [s.get("uses", "") for s in steps(wf)]
    assert any("clusterfuzzlite/actions/build_fuzzers" in u for u in uses)
    assert any("clusterfuzzlite/actions/run_fuzzers" in u for u in uses)
    got = {s["with"]["mode"] for s in steps(wf)
           if "run_fuzzers" in s.get("uses", "")}
    assert got == modes


@pytest.mark.parametrize("path", ["build.sh", ".ci/run", "fuzz/uvmfuzz",
                                  ".clusterfuzzlite/build.sh",
                                  "tools/container-smoke.sh"])
def test_executable(path):
    mode = os.stat(os.path.join(ROOT, path)).st_mode
    assert mode & stat.S_IXUSR, "%s is not executable" % path


def test_ci_run():
    with open(os.path.join(ROOT, ".ci/run")) as f:
        lines = [l.strip() for l in f if l.strip()]
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == "./build.sh test"


def test_dockerfile():
    with open(os.path.join(ROOT, "Dockerfile")) as f:
        text = f.read()
    assert re.search(r"^FROM debian:bookworm\s*$", text, re.M)
    assert "/findings" in text and "CMD" in text


def test_readme_starts_with_the_two_commands():
    with open(os.path.join(ROOT, "README.md")) as f:
        head = f.read(1500)
    fuzz = head.find("fuzz/uvmfuzz fuzz")
    test = head.find("./build.sh test")
    assert 0 <= fuzz < 600 and 0 <= test < 900, head[:900]
