from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(DJANGO_SETTINGS_MODULE="seminar.config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="seminar.example.org",
        DEBUG="false",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="seminar.example.org", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


STRONG_KEY = "p9Wc1sKq7Zr0Xy3Vb6Nt2Lm8Hd5Gf4Jk-Qa_Ue7Io9Pz3Sx1Cv6Bn0Mw2Er5Ty8Ui4Op7As"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("a-short-production-key", id="short"),
        pytest.param("xy" * 40, id="few-unique-characters"),
        pytest.param("django-insecure-" + STRONG_KEY, id="development-prefix"),
    ],
)
def test_check_deploy_refuses_a_weak_secret_key(key):
    # Without --fail-level: the weak key is an error, not a warning an operator can miss.
    result = _manage(
        "check", "--deploy", SECRET_KEY=key, ALLOWED_HOSTS="seminar.example.org", DEBUG="false"
    )
    assert result.returncode != 0
    assert "seminar.E001" in result.stderr
    assert "SECRET_KEY is too weak for production" in result.stderr


def test_check_deploy_accepts_a_strong_secret_key():
    result = _manage(
        "check",
        "--deploy",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="seminar.example.org",
        DEBUG="false",
    )
    assert result.returncode == 0, result.stdout + result.stderr
