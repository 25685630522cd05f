"""Mentions are found in the sanitized HTML's text only, and shown as spans made here."""

from __future__ import annotations

from seminar.discussion.mentions import Directory, find_mentions, mark_mentions, render_comment

DIRECTORY = Directory.of(
    [(1, "김민수"), (2, "Kim Min-su"), (3, "박민경"), (4, "조재현"), (5, "조재현"), (6, "Ann")]
)


def _ids(text: str) -> list[int]:
    return [pk for _s, _e, pk, _n in find_mentions(text, DIRECTORY)]


def test_a_bracketed_mention_takes_any_name_spaces_included():
    assert _ids("@[Kim Min-su] 보세요, @[김민수]") == [2, 1]


def test_a_plain_mention_names_one_member_and_korean_particles_may_follow():
    assert _ids("@김민수 @김민수님 @김민수에게, @박민경.") == [1, 1, 1, 3]


def test_names_shared_by_two_members_or_nobody_are_not_mentions():
    assert _ids("@조재현 @[조재현] @nobody @[Nobody Here]") == []


def test_an_email_address_is_not_a_mention_and_case_does_not_matter():
    assert _ids("ann@example.com") == []
    assert _ids("@ann, @ANN") == [6, 6]


def test_a_plain_word_longer_than_a_particle_after_the_name_is_not_a_mention():
    assert _ids("@김민수입니다만그래도") == []


def test_mentions_become_spans_but_not_inside_code_links_or_math():
    html, mentioned = render_comment(
        "@김민수 `@박민경` [@박민경](https://example.org) $@Ann$\n\n```\n@Ann\n```", DIRECTORY
    )
    assert mentioned == {1: "김민수"}
    assert '<span class="mention" data-member="1">@김민수</span>' in html
    assert html.count('class="mention"') == 1


def test_a_comment_cannot_forge_a_mention_span():
    html, mentioned = render_comment('<span class="mention">@가짜</span>', DIRECTORY)
    assert mentioned == {}
    assert '<span class="mention' not in html  # raw HTML is text
    # Were the sanitizer to let such a span through, the class would still be dropped.
    html, mentioned = mark_mentions('<p><span class="mention math">@가짜</span></p>', DIRECTORY)
    assert html == '<p><span class="math">@가짜</span></p>'


def test_a_name_with_markup_is_escaped_in_its_span():
    directory = Directory.of([(9, "<b>x</b>&amp")])
    html, mentioned = mark_mentions("<p>hi @[&lt;b&gt;x&lt;/b&gt;&amp;amp]</p>", directory)
    assert mentioned == {9: "<b>x</b>&amp"}
    assert "<b>" not in html
    assert "@&lt;b&gt;x&lt;/b&gt;&amp;amp</span>" in html


def test_text_around_mentions_stays_escaped_and_attributes_untouched():
    html, _m = mark_mentions(
        '<p>a &lt;script&gt; @김민수 &amp; <a href="https://x.org/?a=1&amp;b=@김민수">l</a></p>',
        DIRECTORY,
    )
    assert "&lt;script&gt;" in html
    assert 'href="https://x.org/?a=1&amp;b=@김민수"' in html
    assert html.count('class="mention"') == 1
