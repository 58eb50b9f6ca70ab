"""`reflex export` produces the static frontend and the backend bundle that README documents."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_reflex_export_writes_frontend_and_backend_zips(tmp_path):
    # Export from a copy: the export rebuilds .web/build, which the running e2e app is serving.
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns(".venv", ".git", ".states", "*.db", "*.db-*", "__pycache__", "results")
    shutil.copytree(PROJECT, project, ignore=ignore, symlinks=True)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "REFLEX_USE_NPM": "1"}
    subprocess.run(
        [str(bin_dir / "reflex"), "export", "--zip-dest-dir", str(tmp_path)],
        cwd=project,
        env=env,
        check=True,
        timeout=900,
        capture_output=True,
    )
    frontend, backend = tmp_path / "frontend.zip", tmp_path / "backend.zip"
    with zipfile.ZipFile(frontend) as archive:
        names = archive.namelist()
        assert any(name.endswith("index.html") for name in names)
        assert any(name.endswith(".js") for name in names)
    with zipfile.ZipFile(backend) as archive:
        names = archive.namelist()
        assert "rxconfig.py" in names and "djangochat_rx/djangochat_rx.py" in names
        assert any(name.startswith("alembic/versions/") for name in names)
        assert not any(name.endswith(".db") for name in names)
