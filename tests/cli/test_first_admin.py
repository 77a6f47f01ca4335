"""The first-admin hint of `scalpmap serve` is a command that works for the data dir in use."""

from __future__ import annotations

import shlex

from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.config import get_settings
from scalpmap.services.users import get_user_by_email
from scalpmap.store.engine import create_engine_for, make_session_factory

PASSWORD = "violet lantern orbit"


def test_the_printed_command_creates_the_admin_in_the_served_database(tmp_path, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    monkeypatch.delenv("SCALPMAP_DATABASE_URL", raising=False)
    monkeypatch.delenv("SCALPMAP_TRUSTED_PROXIES", raising=False)  # serve sets it: restored
    monkeypatch.setenv("SCALPMAP_DATA_DIR", str(tmp_path / "elsewhere"))  # the trap
    served = tmp_path / "served data"
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(served)])
    assert result.exit_code == 0, result.output
    line = next(text for text in result.output.splitlines() if "users create" in text)
    words = shlex.split(line)
    args = words[words.index("users") :]
    assert args[-2:] == ["--data-dir", str(served.resolve())]
    # Run it as printed, from a shell where SCALPMAP_DATA_DIR names another folder.
    monkeypatch.setenv("SCALPMAP_DATA_DIR", str(tmp_path / "elsewhere"))
    made = CliRunner().invoke(app, [*args, "--password-stdin"], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    engine = create_engine_for(get_settings(data_dir=served))
    try:
        with make_session_factory(engine)() as session:
            user = get_user_by_email(session, "you@clinic.example")
            assert user is not None and str(user.role) == "admin"
    finally:
        engine.dispose()
    assert not (tmp_path / "elsewhere" / "scalpmap.db").exists()


def test_users_create_reads_scalpmap_data_dir_like_serve(tmp_path, monkeypatch):
    monkeypatch.delenv("SCALPMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("SCALPMAP_DATA_DIR", str(tmp_path / "from-env"))
    made = CliRunner().invoke(
        app,
        ["users", "create", "env@clinic.example", "--admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert (tmp_path / "from-env" / "scalpmap.db").is_file()
