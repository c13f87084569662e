# html.py - reference check for tests/unit/test_html.c: each expected escaped
# text unescapes back to its input with Python's HTML5 unescaper (html.unescape,
# the WHATWG character-reference rules), and Python's own html.escape agrees
# except for the spelling of the apostrophe (&#x27; where healthcal writes &#39;).
# Run: /usr/bin/python3 tests/reference/html_escape.py
import html

cases = [
    ("plain segment", "plain segment"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("a & b", "a &amp; b"),
    ("\"q\" 'a'", "&quot;q&quot; &#39;a&#39;"),
    ("`touch /tmp/pwned`", "`touch /tmp/pwned`"),
    ('system("id")', "system(&quot;id&quot;)"),
    ("&lt;", "&amp;lt;"),
    ("", ""),
    ("caf\u00e9 \u20ac \U0001F600", "caf\u00e9 \u20ac \U0001F600"),
    ("a\tb\nc\rd", "a\tb\nc\rd"),
    ("nb\u00a0sp", "nb\u00a0sp"),
]
for text, escaped in cases:
    assert html.unescape(escaped) == text, (text, escaped)
    assert html.escape(text, quote=True).replace("&#x27;", "&#39;") == escaped, text
    print("ok", repr(text))
