from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def article():
    """Read a fixture article written for the tests."""
    return lambda name: (FIXTURES / "articles" / name).read_text(encoding="utf-8")


@pytest.fixture
def seed_article():
    path = SHARED / "seed" / "mosul-article.txt"
    if not path.exists():
        pytest.skip("../shared/seed is not present")
    return path.read_text(encoding="utf-8")
