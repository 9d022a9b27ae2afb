"""A coverage record's detail is bounded and readable, whoever made it (``Coverage`` applies the rule).

The HTML cases go through real botocore: a local HTTP server answers like the proxies / endpoints a
blind test met (moto's Flask pages: a 404 page on a REST-JSON API, a 500 page where an XML answer was
expected), and the collector's own classifier turns the failure into the record.
"""

from __future__ import annotations

import http.server
import threading

import boto3
import pytest
from botocore.config import Config

from resilience.collectors.aws.errors import classify
from resilience.coverage_detail import MAX_CHARS, readable
from resilience.model import Coverage

FLASK_404 = ("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL "
             "was not found on the server. If you entered the URL manually please check your spelling and try again."
             "</p>\n")
FLASK_500 = ("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>"
             "\n<p>The server encountered an internal error and was unable to complete your request. Either the server "
             "is overloaded or there is an error in the application.</p>\n")


@pytest.fixture(scope="module")
def html_endpoint():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server hook's name)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, body = (404, FLASK_404) if "restore" in self.path else (500, FLASK_500)
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _record(endpoint: str, service: str, call: str) -> Coverage:
    client = boto3.client(service, region_name="eu-central-1", endpoint_url=endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))
    with pytest.raises(Exception) as failed:  # noqa: PT011 (whatever botocore raises is what is classified)
        getattr(client, call)()
    status, detail = classify(failed.value)
    return Coverage(provider="aws", account="123456789012", region="eu-central-1", service=service, status=status,
                    detail=detail)


def test_an_html_404_page_becomes_its_title(html_endpoint):
    record = _record(html_endpoint, "backup", "list_restore_jobs")
    assert record.status == "error"
    assert record.detail == "An error occurred (404) when calling the ListRestoreJobs operation: 404 Not Found"


def test_an_html_page_where_xml_was_expected_becomes_its_title(html_endpoint):
    record = _record(html_endpoint, "elasticache", "describe_serverless_caches")
    assert record.detail.startswith("ResponseParserError: Unable to parse response")
    assert record.detail.endswith(": 500 Internal Server Error"), record.detail
    assert "<" not in record.detail and "\\n" not in record.detail and "b'" not in record.detail


def test_a_joined_detail_of_pages_made_elsewhere_is_read_the_same_way():
    """A record built outside the collectors' classifiers (several reads joined, another provider) gets the
    same treatment from Coverage itself."""
    record = Coverage(provider="gcp", account="p", region="global", service="x", status="error",
                      detail=f"bucket-a: HTTP 502 {FLASK_500.replace('500', '502')}")
    assert record.detail == "bucket-a: HTTP 502 502 Internal Server Error"


def test_short_plain_details_are_kept_byte_for_byte():
    for text in ("", "resiliencehub is not offered in me-central-1 (botocore endpoint data)",
                 "AccessDenied: <ARN> may not call ListRecoveryPointsByBackupVault\non vault <none>",
                 "x" * MAX_CHARS):
        assert readable(text) == text
        assert Coverage(provider="aws", account="1", region="r", service="s", status="error", detail=text).detail == text


def test_long_details_end_in_an_ellipsis_and_credentials_are_redacted():
    long = readable("throttled " * 100)
    assert len(long) == MAX_CHARS and long.endswith("...")
    url = ("https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101&"
           "X-Amz-Signature=0123456789abcdef&X-Amz-Security-Token=FwoGZXIvYXdzEJr")
    text = readable(f"could not read {url} (key ASIAIOSFODNN7EXAMPLE)")
    for secret in ("AKIAIOSFODNN7EXAMPLE", "0123456789abcdef", "FwoGZXIvYXdzEJr", "ASIAIOSFODNN7EXAMPLE"):
        assert secret not in text
    assert "X-Amz-Signature=[redacted]" in text
    assert readable(text) == text  # idempotent: a record read back from inventory.json is unchanged
