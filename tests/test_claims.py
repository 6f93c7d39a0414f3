"""The claims ledger against the registries, its schema errors, and the command."""

import json

import pytest

from verification import claims
from verification.cli import main


@pytest.fixture(scope="module")
def ledger():
    return claims.load()


def test_ledger_matches_registries(ledger):
    assert claims.problems(ledger) == []


def test_every_source_within_the_not_covered_limit(ledger):
    for cov in claims.coverage(ledger):
        assert cov.not_covered_fraction <= claims.MAX_NOT_COVERED, (cov.source, [c.label for c in cov.not_covered])
        assert all(c.note for c in cov.not_covered)


def _write(tmp_path, body):
    path = tmp_path / "claims.toml"
    path.write_text('source = "SIPF"\n' + body)
    return path


def test_schema_errors_name_the_claim(tmp_path):
    base = '[[claim]]\nid = "a"\nwhere = "§1"\nclaim = "x"\nkind = "number"\n'
    with pytest.raises(claims.LedgerError, match="needs a note"):
        claims.parse(_write(tmp_path, base))
    with pytest.raises(claims.LedgerError, match="kind must be one of"):
        claims.parse(_write(tmp_path, base.replace('"number"', '"lemma"') + 'note = "n"\n'))
    with pytest.raises(claims.LedgerError, match="duplicate id"):
        claims.parse(_write(tmp_path, (base + 'note = "n"\n') * 2))
    with pytest.raises(claims.LedgerError, match="unknown field"):
        claims.parse(_write(tmp_path, base + 'note = "n"\nchecsk = ["x"]\n'))


def test_problems_finds_unknown_and_uncited_ids(tmp_path):
    path = _write(tmp_path, '[[claim]]\nid = "a"\nwhere = "§1"\nclaim = "x"\nkind = "number"\n'
                  'checks = ["sipf.no_such_check"]\nerrata = ["sipf.no_such_erratum"]\n')
    found = claims.problems({"SIPF": claims.parse(path)})
    assert any("unknown check 'sipf.no_such_check'" in p for p in found)
    assert any("unknown erratum key 'sipf.no_such_erratum'" in p for p in found)
    assert any("sipf.c0_identity cites [SIPF]" in p for p in found)  # a real check the toy ledger leaves out


def test_claims_command(capsys):
    assert main(["claims", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {c["source"] for c in doc["coverage"]} == set(claims.LEDGER_TOPICS)
    assert doc["problems"] == []
    assert main(["claims", "--source", "ANTS"]) == 0
    assert "ANTS" in capsys.readouterr().out
