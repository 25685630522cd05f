"""A table's column alignment survives the sanitizer, as a class (the CSP allows no styles),
and nothing else can borrow that way in."""

from __future__ import annotations

from seminar.lib.markdown import render_markdown

TABLE = "| name | score | note |\n|:---|---:|:---:|\n| a | 1 | x |\n"


def test_table_alignment_is_kept_as_classes():
    html = render_markdown(TABLE)
    assert '<th class="align-left">name</th>' in html
    assert '<th class="align-right">score</th>' in html
    assert '<th class="align-center">note</th>' in html
    assert '<td class="align-right">1</td>' in html
    assert "style=" not in html


def test_a_column_without_alignment_has_no_class():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<td>1</td>" in html and "class=" not in html


def test_typed_cells_with_styles_stay_text():
    html = render_markdown('<td style="text-align: right;">x</td> <th class="align-left">y</th>')
    assert "<td" not in html and "<th" not in html
    assert "&lt;td style=" in html


def test_a_cell_cannot_carry_any_other_class_or_style():
    from seminar.lib.markdown.render import _sanitize

    html = _sanitize(
        '<table><tr><td class="align-right evil" style="color:red" onclick="x()">1</td>'
        '<th class="hidden">2</th></tr></table><p class="align-right">p</p>'
    )
    assert 'class="align-right"' in html
    assert "evil" not in html and "hidden" not in html
    assert "style" not in html and "onclick" not in html
    assert '<p class="align-right">' not in html
