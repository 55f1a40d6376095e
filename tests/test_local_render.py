"""Block Kit and mrkdwn to HTML for the local workspace's page (handlers/local/render.py).

The bot's own messages are built here with the adapter's real Block Kit code (handlers.blocks), so
every block and element the bot sends is rendered as the page shows it. Every output is parsed
back: only the tags and attributes the renderer writes may appear, whatever the input held.
"""
from html.parser import HTMLParser

import pytest

from bot.home.view import HomeView, Note, Paragraph
from bot.messages import Button, ChannelRef, Code, Link, Mention, Message, Strong, text
from handlers.blocks import home_view, message_blocks
from handlers.local import render
from handlers.local.render import Names

NAMES = Names(people={"UALICE": "Alice", "UBOB": "Bob", "UEVIL": '<img src=x onerror="alert(1)">'},
              channels={"CGENERAL": "general"}, viewer="UBOB")
ALLOWED_TAGS = {"div", "span", "strong", "em", "del", "code", "pre", "blockquote", "br", "a", "button", "hr",
                "figure", "figcaption", "img", "label", "input", "textarea", "select", "option"}
ALLOWED_ATTRIBUTES = {"class", "data-user", "data-channel", "data-block-id", "data-action-id", "data-value",
                      "data-confirm", "data-type", "href", "target", "rel", "type", "src", "alt", "loading",
                      "referrerpolicy", "placeholder", "value", "rows", "data-error-for", "hidden", "name", "checked",
                      "selected", "download"}


class _Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> _Tags:
    """The HTML parsed back, after checking it holds nothing the renderer does not write."""
    tags = _Tags(html)
    for tag, attrs in tags.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        assert set(attrs) <= ALLOWED_ATTRIBUTES, (attrs, html)
        for name in ("href", "src"):
            if name in attrs:
                assert attrs[name].startswith(("http://", "https://", "mailto:", "/api/file/")), html
    return tags


def shown(html: str) -> str:
    """The text a reader sees."""
    return "".join(parsed(html).text)


# --- what the bot sends ------------------------------------------------------------------------

def test_the_bots_question_ping_shows_names_reasons_and_working_buttons():
    message = Message.of(text(Mention("UALICE"), " — could you help ", Mention("UBOB"), " with this question?\n",
                              Mention("UALICE"), ": you know about ", Strong("kubernetes")),
                         notes=[text("Asked in ", ChannelRef("CGENERAL"))],
                         buttons=[Button("Mark answered", "question_mark_answered", "1700000000.000100", primary=True),
                                  Button("Not my topic", "question_not_my_topic", "1700000000.000100")])
    blocks = [block.to_dict() for block in message_blocks(message)]
    assert [b["type"] for b in blocks] == ["section", "context", "actions"]
    html = render.blocks(blocks, NAMES)
    assert shown(html) == ("@Alice — could you help @Bob with this question?@Alice: you know about kubernetes"
                           "Asked in #generalMark answeredNot my topic")
    tags = parsed(html).tags
    buttons = [attrs for tag, attrs in tags if tag == "button"]
    assert [(b["data-action-id"], b["data-value"], b["class"]) for b in buttons] == [
        ("question_mark_answered", "1700000000.000100", "bk-button bk-primary"),
        ("question_not_my_topic", "1700000000.000100", "bk-button")]
    mentions = [attrs for tag, attrs in tags if tag == "span" and "mention" in attrs.get("class", "")]
    assert [(m["data-user"], m["class"]) for m in mentions] == [("UALICE", "mention"), ("UBOB", "mention me"), ("UALICE", "mention")]
    assert ("strong", {}) in tags and ("br", {}) in tags
    assert ("div", {"class": "bk-context"}) in tags


def test_the_bots_welcome_with_links_code_and_a_defused_broadcast():
    purpose = "Ship docs <fast> & @channel <!here>"
    message = Message.of(text("Welcome ", Mention("UBOB"), "! ", Strong("What we do here:"), " ", purpose),
                         text("Try ", Code("/community help"), " or read ", Link("https://example.org/a?b=1&c=2", "the guide")))
    html = render.blocks([b.to_dict() for b in message_blocks(message)], NAMES)
    assert shown(html) == ("Welcome @Bob! What we do here: Ship docs <fast> & @\u2060channel <!here>"
                           "Try /community help or read the guide")
    links = [attrs for tag, attrs in parsed(html).tags if tag == "a"]
    assert links == [{"href": "https://example.org/a?b=1&c=2", "target": "_blank", "rel": "noopener noreferrer"}]
    assert "<code>/community help</code>" in html


def test_the_app_home_has_its_header_and_sections():
    view = home_view(HomeView("Community Steward", [Paragraph(text("Groups you own: ", ChannelRef("CGENERAL"))),
                                                    Note(("Type help",))]))
    shaped = render.view(view.to_dict(), NAMES)
    assert shaped["type"] == "home"
    assert '<div class="bk-header">Community Steward</div>' in shaped["html"]
    assert shown(shaped["html"]) == "Community StewardGroups you own: #generalType help"


# --- every block and element -----------------------------------------------------------------

def test_every_block_a_small_client_shows():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Weekly :tada:"}},
        {"type": "section", "block_id": "s1", "text": {"type": "mrkdwn", "text": "*Hi*"},
         "fields": [{"type": "mrkdwn", "text": "_a_"}, {"type": "plain_text", "text": "*b*"}],
         "accessory": {"type": "button", "action_id": "go", "value": "1", "text": {"type": "plain_text", "text": "Go"}}},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "image", "image_url": "https://x.test/a.png", "alt_text": "logo"},
                                         {"type": "plain_text", "text": "small <print>"}]},
        {"type": "image", "image_url": "https://x.test/b.png", "alt_text": "chart", "title": {"type": "plain_text", "text": "Chart"}},
        {"type": "actions", "block_id": "a1", "elements": [
            {"type": "button", "action_id": "del", "value": "x", "style": "danger", "text": {"type": "plain_text", "text": "Delete"},
             "confirm": {"title": {"type": "plain_text", "text": "Sure?"}, "text": {"type": "mrkdwn", "text": "It goes."}}},
            {"type": "button", "text": {"type": "plain_text", "text": "Docs"}, "url": "https://example.org/docs"},
            {"type": "static_select", "action_id": "pick"}]},
        {"type": "rich_text", "elements": []},
    ]
    html = render.blocks(blocks, NAMES)
    tags = parsed(html).tags
    assert shown(html) == "Weekly 🎉Hia*b*Gosmall <print>ChartDeleteDocs[static_select][rich_text block]"
    assert ("hr", {"class": "bk-divider"}) in tags
    assert ("em", {}) in tags and ("strong", {}) in tags
    accessory = next(attrs for tag, attrs in tags if tag == "button" and attrs.get("data-action-id") == "go")
    assert accessory["data-block-id"] == "s1"
    danger = next(attrs for tag, attrs in tags if tag == "button" and attrs.get("data-action-id") == "del")
    assert (danger["class"], danger["data-confirm"], danger["data-block-id"]) == ("bk-button bk-danger", "Sure? It goes.", "a1")
    assert ("a", {"class": "bk-button", "href": "https://example.org/docs", "target": "_blank", "rel": "noopener noreferrer"}) in tags
    images = [attrs["src"] for tag, attrs in tags if tag == "img"]
    assert images == ["https://x.test/a.png", "https://x.test/b.png"]


def test_modal_inputs_carry_what_a_view_submission_needs():
    option = lambda text, value: {"text": {"type": "plain_text", "text": text}, "value": value}  # noqa: E731
    modal = {"type": "modal", "callback_id": "ask", "title": {"type": "plain_text", "text": "Ask <the group>"},
             "submit": {"type": "plain_text", "text": "Ask"},
             "blocks": [
                 {"type": "input", "block_id": "q", "label": {"type": "plain_text", "text": "Question"},
                  "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                              "initial_value": "</textarea><script>x</script>", "max_length": 10},
                  "hint": {"type": "plain_text", "text": "Be specific"}},
                 {"type": "input", "block_id": "who", "optional": True, "label": {"type": "plain_text", "text": "Topic"},
                  "element": {"type": "plain_text_input", "action_id": "t", "placeholder": {"type": "plain_text", "text": '"quoted"'}}},
                 {"type": "input", "block_id": "w", "label": {"type": "plain_text", "text": "When"},
                  "element": {"type": "static_select", "action_id": "when", "initial_option": option("Later", "later"),
                              "options": [option("Now", "now"), option("Later", "later")]}},
                 {"type": "input", "block_id": "d", "label": {"type": "plain_text", "text": "Day"},
                  "element": {"type": "datepicker", "action_id": "day", "initial_date": "2026-03-02"}},
                 {"type": "input", "block_id": "h", "label": {"type": "plain_text", "text": "Time"},
                  "element": {"type": "timepicker", "action_id": "at"}},
                 {"type": "input", "block_id": "c", "optional": True, "label": {"type": "plain_text", "text": "Cancel"},
                  "element": {"type": "checkboxes", "action_id": "x", "options": [option("<b>Cancel it</b>", "cancel")],
                              "initial_options": [option("<b>Cancel it</b>", "cancel")]}},
                 {"type": "input", "block_id": "r", "label": {"type": "plain_text", "text": "Pick"},
                  "element": {"type": "radio_buttons", "action_id": "y", "options": [option("A", "a"), option("B", "b")]}},
                 {"type": "input", "block_id": "z", "label": {"type": "plain_text", "text": "Who"},
                  "element": {"type": "users_select", "action_id": "u"}},
             ]}
    shaped = render.view(modal, NAMES)
    assert (shaped["title"], shaped["submit"], shaped["close"], shaped["callback_id"]) == ("Ask <the group>", "Ask", "Close", "ask")
    tags = parsed(shaped["html"]).tags
    fields = [(tag, attrs["data-block-id"], attrs["data-action-id"], attrs["data-type"]) for tag, attrs in tags
              if "data-type" in attrs]
    assert fields == [("textarea", "q", "text", "plain_text_input"), ("input", "who", "t", "plain_text_input"),
                      ("select", "w", "when", "static_select"), ("input", "d", "day", "datepicker"),
                      ("input", "h", "at", "timepicker"), ("div", "c", "x", "checkboxes"), ("div", "r", "y", "radio_buttons")]
    by_type = {attrs.get("type"): attrs for tag, attrs in tags if tag == "input" and "data-type" in attrs}
    assert by_type["date"]["value"] == "2026-03-02" and by_type["time"]["value"] == ""
    assert "maxlength" not in shaped["html"]  # Slack lets one type past max_length and says so beside the field
    assert [attrs["value"] for tag, attrs in tags if tag == "option" and "selected" in attrs] == ["later"]
    boxes = [attrs for tag, attrs in tags if tag == "input" and attrs.get("type") in ("checkbox", "radio")]
    assert [(b["type"], b["name"], b["value"], "checked" in b) for b in boxes] == [
        ("checkbox", "c/x", "cancel", True), ("radio", "r/y", "a", False), ("radio", "r/y", "b", False)]
    assert "&lt;b&gt;Cancel it&lt;/b&gt;" in shaped["html"]
    assert [attrs["data-error-for"] for tag, attrs in tags if "data-error-for" in attrs] == ["q", "who", "w", "d", "h", "c", "r", "z"]
    assert "&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>" in shaped["html"]
    assert 'placeholder="&quot;quoted&quot;"' in shaped["html"]
    assert "(optional)" in shown(shaped["html"]) and "[users_select]" in shown(shaped["html"])


def test_a_shared_file_is_a_download_for_the_one_looking():
    message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": "Your export",
               "files": [{"id": "F001", "name": "general-weeks.csv", "title": 'weeks "<b>"'}, {"id": 3}]}
    html = render.message(message, NAMES)
    [link] = [attrs for tag, attrs in parsed(html).tags if tag == "a"]
    assert link["href"] == "/api/file/F001?as=UBOB" and link["download"] == "general-weeks.csv"
    assert 'weeks "<b>"' in shown(html) and "Your export" in shown(html)

def test_odd_input_renders_nothing_or_says_what_it_is():
    assert render.blocks(None, NAMES) == "" and render.blocks("text", NAMES) == ""
    assert render.blocks([1, None, "x"], NAMES) == ""
    assert shown(render.blocks([{"type": "<script>"}], NAMES)) == "[<script> block]"
    assert shown(render.message({"text": "plain"}, NAMES)) == "plain"
    assert shown(render.message({"text": "fallback", "blocks": []}, NAMES)) == "fallback"


# --- mrkdwn and escaping -------------------------------------------------------------------------

@pytest.mark.parametrize("mrkdwn, html", [
    ("*bold* _it_ ~gone~", "<strong>bold</strong> <em>it</em> <del>gone</del>"),
    ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
    ("a `<@UALICE> *x*` b", "a <code>&lt;@UALICE&gt; *x*</code> b"),
    ("```line 1\n<b>2</b>```", "<pre>line 1\n&lt;b&gt;2&lt;/b&gt;</pre>"),
    ("> quoted\n> twice\nafter", "<blockquote>quoted<br>twice</blockquote>after"),
    ("one\ntwo", "one<br>two"),
    (":white_check_mark: :unknown_emoji: 10:30:45", "✅ :unknown_emoji: 10:30:45"),
    ("<@UALICE> <@UNOBODY|nobody> <@UNOBODY2>", '<span class="mention" data-user="UALICE">@Alice</span> '
     '<span class="mention" data-user="UNOBODY">@nobody</span> <span class="mention" data-user="UNOBODY2">@UNOBODY2</span>'),
    ("<#CGENERAL> <#COTHER|other>", '<span class="channel-ref" data-channel="CGENERAL">#general</span> '
     '<span class="channel-ref" data-channel="COTHER">#other</span>'),
    ("<!here> <!subteam^S1|@team> <!date^1|Monday>", '<span class="mention broadcast">@here</span> '
     '<span class="mention">@team</span> Monday'),
    ("<https://a.test/?x=1&amp;y=2|a &lt;link&gt;> <mailto:a@b.test>",
     '<a href="https://a.test/?x=1&amp;y=2" target="_blank" rel="noopener noreferrer">a &lt;link&gt;</a> '
     '<a href="mailto:a@b.test" target="_blank" rel="noopener noreferrer">mailto:a@b.test</a>'),
    ("<javascript:alert(1)|click me>", "&lt;javascript:alert(1)|click me&gt;"),
])
def test_mrkdwn(mrkdwn, html):
    assert render.mrkdwn(mrkdwn, NAMES) == html
    parsed(html)


@pytest.mark.parametrize("typed", [
    "<script>alert(1)</script>",  # raw, as if Slack had not escaped it
    "&lt;script&gt;alert(1)&lt;/script&gt;",  # as Slack sends what someone typed
    '<img src=x onerror="alert(1)"> "quotes" \'single\'',
    "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;",
    "*<script>*_</script>_",
    "\ue0000\ue001 placeholders typed in",
])
def test_user_text_is_always_text(typed):
    html = render.message({"text": typed}, NAMES)
    tags = parsed(html).tags
    assert [tag for tag, _ in tags if tag not in ("div", "strong", "em")] == []
    assert "<script" not in html and "<img" not in html and "\ue000" not in html


def test_names_and_labels_are_escaped_too():
    html = render.mrkdwn("hi <@UEVIL> <#CX|<b>chan</b>>", NAMES)
    assert shown(html) == 'hi @<img src=x onerror="alert(1)"> <#CX|<b>chan</b>>'
    assert "<img" not in html and "<b>" not in html
    button = render.blocks([{"type": "actions", "block_id": '"><script>', "elements": [
        {"type": "button", "action_id": '" onclick="x', "value": "'><b>", "text": {"type": "plain_text", "text": "<b>ok</b>"}}]}], NAMES)
    [(tag, attrs)] = [t for t in parsed(button).tags if t[0] == "button"]
    assert (attrs["data-action-id"], attrs["data-value"], attrs["data-block-id"]) == ('" onclick="x', "'><b>", '"><script>')
    assert shown(button) == "<b>ok</b>"


def test_emoji_and_what_a_member_edits():
    assert render.emoji("white_check_mark") == "✅" and render.emoji("+1::skin-tone-2") == "👍"
    assert render.emoji("no_such") == ":no_such:"
    assert render.editable("ask <@UALICE> about &lt;helm&gt; &amp; <@UX|x>", NAMES) == "ask @Alice about <helm> & @x"
