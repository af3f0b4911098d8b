"""The report's Markdown escaping: outside text renders as itself, never as a link, image or HTML."""

from __future__ import annotations

from sutazai_tui.records.report import markdown_code, markdown_text


def test_links_images_and_html_are_escaped() -> None:
    assert markdown_text("![x](https://evil/p.png)") == "\\!\\[x\\](https\\[:\\]//evil/p.png)"
    assert markdown_text("[docs](javascript:alert(1))") == "\\[docs\\](javascript:alert(1))"
    assert markdown_text("<img src=x> &amp;") == "\\<img src=x\\> \\&amp;"


def test_emphasis_code_tables_and_backslashes_are_escaped() -> None:
    assert markdown_text("*a* _b_ ~c~ `d` e|f \\g") == "\\*a\\* \\_b\\_ \\~c\\~ \\`d\\` e\\|f \\\\g"


def test_bare_urls_are_defanged_and_lines_joined() -> None:
    assert markdown_text("see http://a.b and www.c.d") == "see http\\[:\\]//a.b and www\\[.\\]c.d"
    assert markdown_text("HTTPS://X") == "HTTPS\\[:\\]//X"
    assert markdown_text("a\nb") == "a b"
    assert markdown_text("plain words, 3.5 s (ok) #1 -x +y") == "plain words, 3.5 s (ok) #1 -x +y"


def test_code_spans_are_fenced_past_the_texts_own_backticks() -> None:
    assert markdown_code("/tmp/rec.jsonl") == "`/tmp/rec.jsonl`"
    assert markdown_code("a`b") == "``a`b``"
    assert markdown_code("`x``") == "``` `x`` ```"
    assert markdown_code("a|b") == "`a|b`" and markdown_code("a|b", table=True) == "`a\\|b`"
    assert markdown_code("a\nb") == "`a b`"
