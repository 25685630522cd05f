"""The materials rules as plain functions: links, PDF bytes, download names (no database)."""

from __future__ import annotations

import pytest

from seminar.materials.rules import (
    MAX_LINK_CHARS,
    download_name,
    link_problem,
    pdf_problem,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"


def chunked(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(
    "link",
    ["", "https://example.org/slides.pdf", "http://example.org", "HTTPS://Example.org/a?b=c#d"],
)
def test_link_problem_accepts_http_and_https_links(link):
    assert link_problem(link) is None


@pytest.mark.parametrize(
    ("link", "code"),
    [
        ("javascript:alert(1)", "scheme"),
        ("JaVaScRiPt:alert(1)", "scheme"),
        ("data:text/html,<script>alert(1)</script>", "scheme"),
        ("vbscript:msgbox(1)", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("ftp://example.org/x", "scheme"),
        ("//evil.example/x", "scheme"),
        ("https://", "not_a_link"),
        ("https://exa mple.org", "not_a_link"),
        ("https://example.org/\nSet-Cookie: x", "not_a_link"),
        ("java\tscript:alert(1)", "not_a_link"),
        ("https://example.org:99999999999/", "not_a_link"),
        ("https://example.org/" + "a" * MAX_LINK_CHARS, "too_long"),
    ],
)
def test_link_problem_refuses_other_schemes_and_broken_links(link, code):
    assert link_problem(link) == code


def test_pdf_problem_accepts_a_pdf_in_any_chunking():
    assert pdf_problem([PDF]) is None
    assert pdf_problem(chunked(PDF, 1)) is None
    assert pdf_problem(chunked(PDF, 5)) is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "not_pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "not_pdf"),
        (b"GIF89a=1;alert(1)//", "not_pdf"),
        (b"  %PDF-1.4\n%%EOF", "not_pdf"),  # the header must be at the very start
        (b"%PDF-", "not_pdf"),
        (b"", "not_pdf"),
        (b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF", "markup"),
        (b"%PDF-1.4\n<svg onload=alert(1)>\n%%EOF", "markup"),
        (b"%PDF-1.4\n<?xml version='1.0'?>\n%%EOF", "markup"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "truncated"),
        (b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF", "active"),
        (b"%PDF-1.4\n<< /S /Launch /F (cmd.exe) >>\n%%EOF", "active"),
        (b"%PDF-1.4\n<< /EmbeddedFiles 2 0 R >>\n%%EOF", "active"),
    ],
)
def test_pdf_problem_refuses_what_is_not_a_plain_pdf(data, code):
    assert pdf_problem([data]) == code
    assert pdf_problem(chunked(data, 3)) == code


def test_pdf_problem_sees_an_action_name_split_across_chunks():
    data = PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /JavaScript >>")
    cut = data.index(b"/JavaScript") + 4
    assert pdf_problem([data[:cut], data[cut:]]) == "active"


def test_pdf_problem_finds_markup_only_in_the_first_kib():
    # Compressed streams hold random bytes: a `<svg` deep inside a big file is not markup a
    # browser would sniff, and refusing it would refuse honest files by chance.
    data = PDF[:-6] + b"x" * 2048 + b"<svg>" + b"\n%%EOF\n"
    assert pdf_problem([data]) is None


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Attention Is All You Need", "Attention Is All You Need.pdf"),
        ("강화 학습: 보상 모델", "강화 학습 보상 모델.pdf"),
        ('a"b\r\nContent-Type: text/html', "a b Content-Type text html.pdf"),
        ("../../etc/passwd", "etc passwd.pdf"),
        ("", "slides.pdf"),
        ("...", "slides.pdf"),
        ("x" * 200, "x" * 80 + ".pdf"),
    ],
)
def test_download_name_keeps_a_safe_file_name(title, name):
    assert download_name(title) == name
