"""What several reports of one scan show (the rule catalogue, the account view) is made once while
write_reports writes them, and afresh on every call outside it."""

from __future__ import annotations

from resilience.reports import accounts, common, json_report, write_reports

from . import estate


def _counting(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_write_reports_makes_each_shared_view_once(tmp_path, monkeypatch):
    result = estate.scan()
    catalogues = _counting(monkeypatch, common, "rule_catalogue")
    rows = _counting(monkeypatch, accounts, "account_rows")
    write_reports(result, tmp_path, ("json", "md", "html", "sarif"))
    assert len(catalogues) == 1 and len(rows) == 1


def test_outside_write_reports_each_view_is_made_again(monkeypatch):
    result = estate.scan()
    rows = _counting(monkeypatch, accounts, "account_rows")
    before = json_report.account_view(result)
    failing = next(f for f in result.findings if f.status == "fail")
    failing.status = "pass"
    after = json_report.account_view(result)
    assert len(rows) == 2
    assert before != after  # the changed result is what the second view shows
    with common.shared_views(result):
        catalogue = common.scan_catalogue(result)
        with common.shared_views(result):  # opened again inside (write_reports in a caller's): the same views
            assert common.scan_catalogue(result) is catalogue
        assert common.scan_catalogue(result) is catalogue
        assert common.scan_catalogue(estate.scan()) is not common.scan_catalogue(result)  # another scan's own
