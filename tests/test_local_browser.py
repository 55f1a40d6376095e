"""The local workspace in a real browser: `python -m bot` with no Slack settings, driven by headless
Chromium (Debian's chromium and chromium-driver, through Selenium and /usr/bin/chromedriver).

One visit, in order, as a visitor would make it:
  1. the page opens on the seeded #general                       01-seeded-general.png
  2. Bob asks a question; "+1 hour"; the bot @mentions Alice,
     the kubernetes expert, in the question's thread              02-expert-mentioned-in-thread.png
  3. Bob presses the bot's **Mark answered** button: the bot
     thanks him in the thread                                     03-button-marked-answered.png
  4. Sam, new, joins #general: the bot welcomes him               04-welcome-for-sam.png
  5. Olivia (the owner) runs `/community unanswered`: the reply
     is shown to her only ("Only visible to you")                 05-ephemeral-command-reply.png
  6. Alice posts a message with <script> in it: shown as text     06-script-shown-as-text.png
  7. "+1 week": Friday's recognition post arrives in #general      07-a-week-later-recognition.png
  8. Olivia opens the App Home                                    08-app-home.png
  9. she presses Settings on her group's card: the bot's form
     opens; a value that does not fit is refused beside its
     field; a good one is saved and the Home says so              09-home-settings-form.png
 10. Chloé opens the More actions menu of Bob's message           10-message-menu.png
     and uses Flag to owners: the bot's modal asks for a reason   10-flag-modal-required.png
 11. Olivia's messages from the app: the report, with Chloé's
     reason and its Dismiss / Ask the author buttons              11-owner-report-dm.png
 12. Olivia pins Bob's message: the channel's header lists it     12-pinned-in-header.png
The screenshots are saved in tests/artifacts/local-workspace/ (git-ignored), with an index.md that
says what each one shows. The browser is installed by .ci/install-browser when missing (CI runs it
first); the test skips only where it cannot be installed, and says why.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts" / "local-workspace"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1440,900")
SHOTS = {
    "01-seeded-general.png": "The page as it opens: #general with the seeded morning (threads, Chloé's answered "
                             "question, Dev's welcome, and Dev's helm question nobody answered).",
    "02-expert-mentioned-in-thread.png": "Bob asked how to add a kubernetes ingress; after '+1 hour' the bot replied in "
                                         "the question's thread mentioning Alice (she declared kubernetes), with its "
                                         "Mark answered and Not my topic buttons.",
    "03-button-marked-answered.png": "Bob pressed Mark answered (a block_actions request to the bot): the bot thanked "
                                     "him in the thread.",
    "04-welcome-for-sam.png": "Sam joined #general (member_joined_channel): the bot's welcome with the purpose, the "
                              "rules and people to meet.",
    "05-ephemeral-command-reply.png": "Olivia ran /community unanswered: the bot's reply, marked 'Only visible to "
                                      "you', lists the open question.",
    "06-script-shown-as-text.png": "Alice posted a message containing <script> and <b>: it shows as text, nothing ran.",
    "07-a-week-later-recognition.png": "After '+1 week': Friday's recognition post thanks Bob, Olivia and others, "
                                       "with the reasons in words and a Don't name me button.",
    "08-app-home.png": "Olivia opened the steward app's Home tab (app_home_opened, then views.publish): the dashboard of the group she owns, its figures and buttons.",
    "09-home-settings-form.png": "Olivia pressed Settings on the Home (block_actions with the Home's view): the bot opened its "
                                 "settings form (views.open); 'soon' for first_wait was refused beside the field "
                                 "(response_action: errors).",
    "10-message-menu.png": "The More actions menu of a message: Pin to channel, Copy link and the app's message "
                           "shortcuts from manifest.yml (Mark as answer, Flag to owners, Highlight).",
    "10-flag-modal-required.png": "Chloé chose Flag to owners in the More actions menu of Bob's message (a message "
                                  "shortcut with a trigger_id): the bot's modal; Send with no reason is refused beside "
                                  "the field, as Slack's client does.",
    "11-owner-report-dm.png": "After Chloé sent her reason (view_submission), Olivia's messages from the app hold the "
                              "report with the reason, and its Dismiss and Ask the author to edit buttons.",
    "12-pinned-in-header.png": "Olivia pinned Bob's message from its menu (pin_added to the bot): the header lists "
                               "2 pinned messages beside the seeded Sprint tracker bookmark.",
}


# ------------------------------------------------------------------------------------ fixtures

def _browser_problem() -> str | None:
    """Why there is no browser to drive (None: there is one), after trying to install it."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        result = subprocess.run([str(ROOT / ".ci" / "install-browser")], capture_output=True, text=True, timeout=900)
        if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
            said = result.stderr.strip().splitlines()[-1:] or ["no reason given"]
            return f"no headless browser: {CHROMIUM} or {CHROMEDRIVER} is missing and could not be installed ({said[0]})"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def driver():
    problem = _browser_problem()
    if problem:
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="steward-chromium-")
    for flag in CHROMIUM_FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(20)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def local_bot(tmp_path_factory):
    """`python -m bot` as a new user runs it: no tokens, no .env, a fresh directory."""
    home = tmp_path_factory.mktemp("fresh-clone")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STEWARD_", "DATA_DIR", "STORE_BACKEND"))}
    env.update(PORT=str(port), PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=home, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    url = f"http://127.0.0.1:{port}/"
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as page:
        assert page.status == 200
    served_after = time.monotonic() - started
    try:
        yield {"url": url, "line": line, "served_after": served_after, "home": home, "process": process}
    finally:
        process.terminate()
        process.wait(timeout=10)


# ------------------------------------------------------------------------------------- helpers

class Page:
    """The page, with waits: every check waits for what the bot does to arrive (live updates)."""

    def __init__(self, driver, url: str):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait
        self.d = driver
        self.url = url
        # A message whose content changed is drawn anew: a node found a moment ago may be gone.
        self.wait = WebDriverWait(driver, 15, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException, IndexError))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def open(self) -> None:
        self.d.get(self.url)
        self.wait.until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))

    def css(self, selector: str, root=None):
        from selenium.webdriver.common.by import By
        return (root or self.d).find_elements(By.CSS_SELECTOR, selector)

    def one(self, selector: str, root=None):
        self.wait.until(lambda d: self.css(selector, root))
        return self.css(selector, root)[0]

    # The page redraws lists as events arrive, so an element found a moment ago may be gone: every
    # action below finds its element again inside the wait (stale ones are ignored and retried).
    def post_as(self, user_id: str) -> None:
        from selenium.webdriver.support.ui import Select

        def chosen(_):
            Select(self.css("#as")[0]).select_by_value(user_id)
            return self.css(f".person.me[data-user='{user_id}']")
        self.wait.until(chosen)

    def open_channel(self, channel_id: str) -> None:
        self.press(lambda: self.css(f".channel-link[data-channel='{channel_id}']")[0])
        self.wait.until(lambda d: self.css(f".channel-link.active[data-channel='{channel_id}']"))

    def type(self, text: str, where: str = "#composer") -> None:
        from selenium.webdriver.common.keys import Keys
        area = lambda: self.css(f"{where} textarea")[0]  # noqa: E731

        def typed(_):
            element = area()
            if not (element.is_displayed() and element.is_enabled()):
                return False
            element.clear()
            element.send_keys(text)
            element.send_keys(Keys.ENTER)
            return True
        self.wait.until(typed)
        self.wait.until(lambda d: area().get_attribute("value") == "")

    def message(self, contains: str, where: str = "#messages", selector: str = ".msg"):
        """The first message in `where` whose text contains `contains` (waits for it)."""
        def found(_):
            return next((node for node in self.css(f"{where} {selector}") if contains in node.text), None)
        return self.wait.until(found)

    def press(self, find) -> None:
        """Click what `find()` returns, finding it again if it was redrawn meanwhile."""
        def clicked(_):
            element = find()
            element.click()
            return True
        self.wait.until(clicked)

    def menu(self, contains: str, entry: str, where: str = "#messages", shot: str | None = None) -> None:
        """Choose `entry` in the More actions menu of the message that contains `contains` (the
        toolbar shows on hover, as in Slack); `shot`: a screenshot of the open menu first."""
        from selenium.webdriver.common.action_chains import ActionChains

        def chosen(_):
            node = self.message(contains, where)
            ActionChains(self.d).move_to_element(node).perform()
            self.css("button[data-open='menu']", node)[0].click()
            item = next(b for b in self.css(".toolbar.open .menu button", node) if b.text == entry)
            if shot:
                self.shot(shot)
            item.click()
            return True
        self.wait.until(chosen)

    def modal_field(self, block_id: str):
        return self.one(f"#modal-body .bk-input[data-block-id='{block_id}']")

    def modal_error(self, block_id: str) -> str:
        return self.wait.until(lambda d: self.css(f"#modal-body .bk-error[data-error-for='{block_id}']")[0].text)

    def click_step(self, step: str) -> None:
        before = self.wait.until(lambda d: self.css("#clock-label")[0].text)
        self.press(lambda: self.css(f"#clock-{step}")[0])
        self.wait.until(lambda d: self.css("#clock-label")[0].text != before)
        self.wait.until(lambda d: self.css(f"#clock-{step}")[0].is_enabled())

    def shot(self, name: str) -> None:
        assert name in SHOTS
        self.d.save_screenshot(str(ARTIFACTS / name))


# --------------------------------------------------------------------------------------- the test

def test_a_visitor_sees_every_flow_in_the_browser(local_bot, driver):
    line = local_bot["line"]
    assert line.startswith("Community Steward local workspace: " + local_bot["url"])
    assert "no Slack tokens found" in line and "SLACK_BOT_TOKEN" in line and ".env" in line
    assert local_bot["served_after"] < 3.0, f"the page took {local_bot['served_after']:.2f} s to be served"
    assert sorted(p.name for p in local_bot["home"].iterdir()) == ["data"]  # DATA_DIR/local-workspace only
    assert [p.name for p in (local_bot["home"] / "data").iterdir()] == ["local-workspace"]

    page = Page(driver, local_bot["url"])
    page.open()
    page.post_as("UOLIVIA")
    page.message("How can I roll back a helm release on kubernetes without downtime?")
    page.shot("01-seeded-general.png")

    # 2. A question, the clock, the expert brought in by name in the thread.
    page.post_as("UBOB")
    page.type("How do I add an ingress on kubernetes for the docs preview?")
    question = page.message("add an ingress on kubernetes")
    page.click_step("hour")
    page.press(lambda: page.one(".replies-link", page.message("add an ingress on kubernetes")))
    ping = page.message("could you help", where="#thread")
    assert page.one(".mention", ping).text == "@Alice" and "UALICE" not in ping.text
    assert question is not None
    page.shot("02-expert-mentioned-in-thread.png")

    # 3. A Block Kit button through the real interactivity path.
    assert page.one("button.bk-primary", page.message("could you help", where="#thread")).text == "Mark answered"
    page.press(lambda: page.one("button.bk-primary", page.message("could you help", where="#thread")))
    thanks = page.message("Marked as answered by", where="#thread")
    assert "@Bob" in thanks.text
    page.shot("03-button-marked-answered.png")
    page.one("#thread-close").click()

    # 4. A newcomer joins and is welcomed.
    page.post_as("USAM")
    page.open_channel("CGENERAL")
    page.wait.until(lambda d: page.one("#join-button").text == "Join channel")
    page.press(lambda: page.one("#join-button"))
    welcome = page.message("Welcome to #general, @Sam")
    assert "What we do here:" in welcome.text
    page.shot("04-welcome-for-sam.png")

    # 5. A /community command: the answer is for the one who asked.
    page.post_as("UOLIVIA")
    page.type("/community unanswered")
    reply = page.message("Open questions", selector=".msg.ephemeral")
    assert "Only visible to you" in reply.text and "roll back a helm release" in reply.text
    page.shot("05-ephemeral-command-reply.png")
    page.post_as("UALICE")
    page.wait.until(lambda d: not page.css("#messages .msg.ephemeral"))

    # 6. Whatever people type is shown as text.
    page.type("Careful: <script>window.__pwned = 1</script> and <b>not bold</b> & co")
    shown = page.message("window.__pwned")
    assert "<script>window.__pwned = 1</script> and <b>not bold</b> & co" in shown.text
    assert page.css("script", shown) == [] and page.css("b", shown) == []
    assert driver.execute_script("return window.__pwned === undefined")
    page.shot("06-script-shown-as-text.png")

    # 7. A week: Friday's recognition post.
    page.click_step("week")
    thanks = page.message("Here is who helped in #general this week")
    assert "@Bob" in thanks.text and "Don't name me" in thanks.text
    page.shot("07-a-week-later-recognition.png")

    # 8. The App Home.
    page.post_as("UOLIVIA")
    page.one("#app-home").click()
    page.wait.until(lambda d: "Groups you own" in page.one("#home").text and "Dashboard of" in page.one("#home").text)
    assert "#general" in page.one("#home").text
    page.shot("08-app-home.png")

    # 9. A Home button opens the bot's form; its errors show beside the field.
    page.press(lambda: next(b for b in page.css("#home button") if b.text == "Settings"))
    page.wait.until(lambda d: page.one("#modal-title").text == "Settings" and not page.one("#modal").get_attribute("hidden"))
    field = page.modal_field("first_wait")
    field.clear()
    field.send_keys("soon")
    page.one("#modal-submit").click()
    assert "soon does not fit first_wait" in page.modal_error("first_wait")
    page.shot("09-home-settings-form.png")
    field = page.modal_field("first_wait")
    field.clear()
    field.send_keys("45m")
    page.one("#modal-submit").click()
    page.wait.until(lambda d: page.one("#modal").get_attribute("hidden") is not None)
    page.wait.until(lambda d: "Saved in #general: first_wait = 45m." in page.one("#home").text)

    # 10. A message shortcut from the menu opens the bot's modal; Slack's client wants the reason.
    page.post_as("UCHLOE")
    page.open_channel("CGENERAL")
    page.menu("Pushed the new CI config", "Flag to owners", shot="10-message-menu.png")
    page.wait.until(lambda d: page.one("#modal-title").text == "Flag to owners")
    page.one("#modal-submit").click()
    assert page.modal_error("reason") == "Please complete this required field."
    page.shot("10-flag-modal-required.png")
    page.modal_field("reason").send_keys("Looks like an ad for a CI vendor.")
    page.one("#modal-submit").click()
    page.wait.until(lambda d: page.one("#modal").get_attribute("hidden") is not None)
    assert "will never see who flagged" in page.message("Thank you", selector=".msg.ephemeral").text

    # 11. The owner's report, by DM.
    page.post_as("UOLIVIA")
    page.one("#app-messages").click()
    report = page.message("Looks like an ad for a CI vendor.")
    assert "Dismiss" in report.text and "@Bob" in report.text
    page.shot("11-owner-report-dm.png")

    # 12. A pin, through the emulator to the bot, in the channel's header.
    page.open_channel("CGENERAL")
    page.wait.until(lambda d: page.one("#pins-count").text == "📌 1 pinned")
    assert "Sprint tracker" in page.one("#bookmarks").text
    page.menu("Pushed the new CI config", "Pin to channel")
    page.wait.until(lambda d: page.one("#pins-count").text == "📌 2 pinned")
    page.one("#pins-count").click()
    assert "Pushed the new CI config" in page.one("#pins-list").text
    page.shot("12-pinned-in-header.png")

    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    index = ["# Local workspace screenshots", "", f"Taken by {Path(__file__).name}, in this order:", ""]
    index += [f"- `{name}`: {what}" for name, what in SHOTS.items()]
    (ARTIFACTS / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    assert sorted(p.name for p in ARTIFACTS.glob("*.png")) == sorted(SHOTS)
