"""Berth's web UI in a real browser (Debian's chromium + chromedriver, driven by selenium) against a real
`berth serve` with a real Docker engine. Run by scripts/test; screenshots go to test-output/screenshots.

The tests run in order and build on each other, as a person would: the admin signs in, deploys an
instance, uses its console, makes a key, then a second user and two-factor sign-in are tried.
"""
import base64
import hashlib
import hmac
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BERTH = os.environ.get("BERTH_BINARY", os.path.join(ROOT, ".build", "debug", "berth"))
SCREENSHOTS = os.path.join(ROOT, "test-output", "screenshots")
# Below Linux's ephemeral range (32768+), apart from the Swift tests' ports (20000-32767).
PANEL_PORT, DAEMON_PORT, INSTANCE_PORT = 18101, 18102, 18110
BASE = f"http://127.0.0.1:{PANEL_PORT}"
# axe-core's script (scripts/lib/browser.sh fetches it): the accessibility checker run on every page.
AXE_JS = os.environ.get("BERTH_AXE_JS", "/opt/berth-axe/axe.min.js")


def totp(secret_base32, step):
    """RFC 6238 code for one 30-second step, as an authenticator app computes it."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def api(path, key, body=None):
    """Calls the panel's /api with an API key; returns the status."""
    request = urllib.request.Request(BASE + path, data=None if body is None else json.dumps(body).encode(),
                                     headers={"x-api-key": key, "content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Berth:
    """A `berth serve` of its own, on a fresh data folder."""

    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="berth-browser-")
        # A test node's id starts with test-: scripts/test sweeps and checks for such containers.
        with open(os.path.join(self.data, "node-id"), "w") as file:
            file.write("test-browser-" + os.urandom(8).hex())
        self.log = open(os.path.join(self.data, "serve.log"), "w")
        self.process = subprocess.Popen(
            [BERTH, "serve", "--data", self.data, "--port", str(PANEL_PORT), "--daemon-port", str(DAEMON_PORT),
             "--images", os.path.join(ROOT, "images")],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(BASE + "/login", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("berth serve did not start; see " + self.log.name)
        with open(os.path.join(self.data, "admin-password.txt")) as file:
            self.admin_password = file.read().split("\n")[1]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        # Instances outlive their daemon by design; a failed test must not leave one holding a port.
        with open(os.path.join(self.data, "node-id")) as file:
            node = file.read().strip()
        leftovers = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=berth.node={node}"],
                                   capture_output=True, text=True).stdout.split()
        if leftovers:
            subprocess.run(["docker", "rm", "-f", *leftovers], capture_output=True)
        shutil.rmtree(self.data, ignore_errors=True)


def serious_accessibility_violations(browser):
    """What axe-core finds on the page shown that is serious or critical, one line each."""
    with open(AXE_JS) as file:
        browser.execute_script(file.read())
    # axe-core 3.1.1 predates the HTML standard's autocomplete token one-time-code (the two-factor fields use
    # it, so password managers fill the code): it is taught the token rather than the fields losing it.
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const terms = axe.commons.text.autocomplete.standaloneTerms; if (!terms.includes('one-time-code')) terms.push('one-time-code');"
        "axe.run(document).then(result => done(result.violations), error => done([{id: 'axe failed', impact: 'critical', help: String(error), nodes: []}]));")
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} at {[node['target'] for node in violation['nodes']][:4]}"
            for violation in violations if violation["impact"] in ("serious", "critical")]


def new_browser(width=1280, height=900, dark=False):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"]:
        options.add_argument(argument)
    if dark:
        options.add_argument("--force-dark-mode")
        options.add_argument("--blink-settings=preferredColorScheme=0")
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


server = None
state = {}


def setUpModule():
    global server
    # Only this run's pictures: a stale one would be looked at as if it were current.
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    server = Berth()


def tearDownModule():
    server.stop()


class WebUITests(unittest.TestCase):
    """One admin's browser through the whole product, in order."""

    @classmethod
    def setUpClass(cls):
        cls.browser = new_browser()
        # Pages reload themselves (e.g. when an install ends): an element may vanish between two looks.
        cls.wait = WebDriverWait(cls.browser, 90, ignored_exceptions=[NoSuchElementException, StaleElementReferenceException])

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()

    def setUp(self):
        result = self._outcome.result
        self.problems_before = len(result.errors) + len(result.failures)

    def tearDown(self):
        # A failed step leaves a screenshot of what the browser showed, to see why.
        result = self._outcome.result
        if len(result.errors) + len(result.failures) > self.problems_before:
            self.shot("failed-" + self._testMethodName)

    # Helpers

    def open(self, path):
        self.browser.get(BASE + path)

    def shot(self, name, browser=None):
        (browser or self.browser).save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))

    def find(self, css):
        return self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def click_and_load(self, css, browser=None):
        """Clicks what submits a form or follows a link, and waits until the next page has replaced this one."""
        browser = browser or self.browser
        page = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, css).click()

        def replaced(_):
            try:
                page.is_enabled()
                return False
            except WebDriverException:  # stale, or chromium's "node does not belong to the document"
                return True
        WebDriverWait(browser, 60).until(replaced)

    def tab_to(self, element_id, browser=None):
        """Moves the focus with the Tab key alone until it reaches the element, as a keyboard user does."""
        browser = browser or self.browser
        for _ in range(120):
            focused = browser.switch_to.active_element
            if focused.get_attribute("id") == element_id:
                return focused
            ActionChains(browser).send_keys(Keys.TAB).perform()
        self.fail(f"the Tab key never reached #{element_id}")

    def type_into(self, element_id, text):
        """Tabs to a field, selects what it holds and types over it."""
        field = self.tab_to(element_id)
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(text)

    def text(self, css):
        return self.find(css).text

    def sign_in(self, browser, username, password):
        browser.get(BASE + "/login")
        browser.find_element(By.ID, "username").send_keys(username)
        browser.find_element(By.ID, "password").send_keys(password)
        self.click_and_load("#sign-in", browser)

    def submit(self, form_css):
        self.click_and_load(form_css + " button.button-primary")

    def scan_qr_code(self, canvas_css):
        """What a scanner reads from the QR code drawn on a canvas: its pixels, as grey levels, decoded by zbar."""
        self.find(canvas_css)
        width, height, grey = self.browser.execute_script(
            "const c = document.querySelector(arguments[0]); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            "let s = ''; for (let i = 0; i < d.length; i += 4) s += String.fromCharCode(d[i]); return [c.width, c.height, btoa(s)];",
            canvas_css)
        codes = pyzbar.decode((base64.b64decode(grey), width, height), symbols=[ZBarSymbol.QRCODE])
        self.assertEqual(len(codes), 1, "the canvas holds one readable QR code")
        return codes[0].data.decode("utf-8")

    # The tests, in order

    def test_01_sign_in_refuses_a_wrong_password_then_signs_in(self):
        self.open("/")
        self.assertIn("/login", self.browser.current_url, "a visitor is sent to the sign-in page")
        self.shot("01-sign-in")
        self.sign_in(self.browser, "admin", "not-the-password")
        self.assertIn("Wrong username or password", self.text("#login-error"))
        # A visitor has a signed form cookie and no session: nothing is stored before a right password.
        self.assertIsNone(self.browser.get_cookie("berth_session"), "a wrong password starts no session")
        form_cookie = self.browser.get_cookie("berth_form")
        self.assertTrue(form_cookie["httpOnly"], "the form cookie is HttpOnly")
        self.assertEqual(form_cookie["sameSite"], "Lax")
        self.sign_in(self.browser, "admin", server.admin_password)
        self.wait.until(EC.presence_of_element_located((By.ID, "sign-out")))
        cookie = self.browser.get_cookie("berth_session")
        self.assertTrue(cookie["httpOnly"], "the session cookie is HttpOnly")
        self.assertEqual(cookie["sameSite"], "Lax")
        self.assertIn("Your instances", self.text("h1"))
        self.assertTrue(self.find("#no-instances").is_displayed(), "an empty dashboard says so")
        self.shot("02-dashboard-empty")

    def test_02_deploy_from_the_admin_form_and_watch_it_install(self):
        # The local node hands out the instance's port from its range: the admin sets it to one port.
        self.open("/admin/nodes")
        self.find("#nodes tr[data-node=local] details.node-settings summary").click()
        ranges = self.find("#nodes tr[data-node=local] input[name=portRanges]")
        self.assertEqual(ranges.get_attribute("value"), "25565-25664", "berth serve's node comes with a port range")
        ranges.clear()
        ranges.send_keys(str(INSTANCE_PORT))
        self.click_and_load("#nodes tr[data-node=local] form[data-node-settings] button")
        self.assertIn(f"{INSTANCE_PORT}", self.text("#nodes tr[data-node=local] .port-ranges"))
        self.open("/admin/instances")
        self.assertIn(f"ports {INSTANCE_PORT}", self.text("#deploy-node"), "the form says which ports the node hands out")
        self.assertIn("MiB free on this node", self.text("#deploy-memory-room"), "and what is free on it")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, f"#deploy-free-ports option[value='{INSTANCE_PORT}']")), 1,
                         "the host port fields offer the node's free ports")
        self.assertEqual([field.get_attribute("value") for field in self.browser.find_elements(By.NAME, "hostPort")], ["", "", ""],
                         "ports may be left to the node")
        # The whole deploy with the keyboard alone: Tab from field to field, type, Space, Enter.
        self.type_into("deploy-name", "<b>Echo</b> server")
        self.tab_to("deploy-image").send_keys("Busybox echo")
        self.type_into("deploy-memory", "64")
        self.type_into("deploy-cpu", "0.5")
        self.type_into("deploy-disk", "64")
        greeting = self.find('fieldset[data-image-name="Busybox echo"] input[name$=".GREETING"]')
        self.assertEqual(greeting.get_attribute("value"), "hello", "a variable's field starts at its default")
        self.type_into(greeting.get_attribute("id"), "hello from the browser")
        start = self.tab_to("deploy-start")
        self.assertTrue(start.is_selected(), "an instance starts once installed unless the admin says otherwise")
        start.send_keys(Keys.SPACE)
        self.assertFalse(start.is_selected())
        self.shot("03-deploy-form")
        page = self.browser.find_element(By.TAG_NAME, "html")
        self.tab_to("deploy-submit").send_keys(Keys.ENTER)
        WebDriverWait(self.browser, 60).until(EC.staleness_of(page))
        self.wait.until(EC.presence_of_element_located((By.ID, "instance")))
        state["instance_url"] = self.browser.current_url
        self.assertEqual(self.text("h1"), "<b>Echo</b> server", "names are shown as text, never as markup")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "h1 b")), 0)
        # The page follows the install by itself and shows the instance ready and, as asked, offline.
        self.wait.until(lambda browser: browser.find_element(By.ID, "instance").get_attribute("data-install-state") == "READY")
        self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-power=start]")))
        self.assertEqual(self.text("#power-state"), "offline")
        self.assertIn("GREETING", self.text("#instance-variables"))
        self.assertIn("hello from the browser", self.text("#instance-variables"))
        self.assertIn(f"{INSTANCE_PORT} → {INSTANCE_PORT}", self.text("#instance"), "the port came from the node's range")
        # Its 64 MiB disk is a file system of its own; the page says how much of it is in use.
        self.wait.until(lambda browser: "used" in self.text("#instance-disk-use"))
        self.assertNotIn("full", self.text("#instance-disk-use"))

    def test_03_console_runs_commands_and_power_buttons_follow_the_state(self):
        self.browser.get(state["instance_url"])
        start = self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-power=start]")))
        self.assertFalse(self.find("[data-power=stop]").is_enabled(), "stop is off while the instance is offline")
        start.click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "power-state"), "running"))
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "console-output"), "hello from the browser"))
        self.assertFalse(self.find("[data-power=start]").is_enabled(), "start is off while it runs")
        self.assertFalse(self.find("[data-power=kill]").is_displayed(), "kill shows only once a stop is under way, in stop's place")
        self.assertIn("Kill <b>Echo</b> server now?", self.find("[data-power=kill]").get_attribute("data-confirm"), "kill asks first, naming the instance")
        command = self.wait.until(EC.element_to_be_clickable((By.ID, "console-input")))
        command.send_keys("say <i>hi</i>", Keys.ENTER)
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "console-output"), "echo: say <i>hi</i>"))
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#console-output i")), 0, "console output is text, never markup")
        # History: the arrow key brings the last command back.
        command.send_keys(Keys.ARROW_UP)
        self.assertEqual(command.get_attribute("value"), "say <i>hi</i>")
        command.clear()
        self.wait.until(lambda browser: self.text("#chart-cpu-value") not in ("", "–"))
        self.shot("04-instance-running")
        self.find("[data-power=stop]").click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "power-state"), "offline"))
        # Berth's own lines say what happened to the process, apart from the server's output.
        self.wait.until(lambda browser: any("server marked as offline" in line.text
                                            for line in browser.find_elements(By.CSS_SELECTOR, "#console-output .console-notice")))
        self.assertIn("server marked as stopping", self.text("#console-output"))
        # A command typed while the server is off gets a clear answer.
        self.find("#console-input").send_keys("say anyone there?", Keys.ENTER)
        self.wait.until(lambda browser: any("not running, so the command was not sent" in line.text
                                            for line in browser.find_elements(By.CSS_SELECTOR, "#console-output .console-error")))
        self.shot("05a-console-process-lines")
        self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-power=start]"))).click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "power-state"), "running"))
        self.wait.until(lambda browser: any("server marked as running" in line.text
                                            for line in browser.find_elements(By.CSS_SELECTOR, "#console-output .console-notice")))
        self.open("/")
        self.wait.until(lambda browser: "running" in self.text("#instances .live-state"))
        self.wait.until(lambda browser: self.text("#instances .live-memory") not in ("", "–"))
        self.assertRegex(self.text("#instances .live-uptime"), r"^up \d+ (s|min)$", "a running instance's uptime")
        self.wait.until(lambda browser: self.text("#instances .live-disk") not in ("", "–"))
        self.assertRegex(self.text("#instances .live-disk"), r"^\d+(\.\d)? (B|KiB|MiB) / 64 MiB$", "its disk use against its limit")
        self.assertTrue(self.find("#instances .live-disk meter").is_displayed(), "with a bar")
        self.shot("05-dashboard")

    def test_03a_a_changed_variable_reaches_the_server_through_a_reinstall(self):
        self.browser.get(state["instance_url"])
        self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-power=stop]"))).click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "power-state"), "offline"))
        greeting = self.find("#settings-variables input[name='var.GREETING']")
        self.assertEqual(greeting.get_attribute("value"), "hello from the browser", "the field holds the instance's value")
        greeting.clear()
        greeting.send_keys("hello after a reinstall")
        self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", greeting)
        self.shot("04a-instance-settings")
        self.click_and_load("#settings-save")
        self.assertIn("apply at its next start", self.text(".flash"))
        self.assertIn("hello after a reinstall", self.text("#instance-variables"))
        # The echo image writes its greeting at install: a reinstall that keeps the files brings it in.
        self.find("#reinstall-submit").click()
        self.browser.switch_to.alert.accept()
        self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
        self.assertIn("being reinstalled, keeping its files", self.text(".flash"))
        self.wait.until(lambda browser: browser.find_element(By.ID, "instance").get_attribute("data-install-state") == "READY")
        self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-power=start]"))).click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "console-output"), "hello after a reinstall"))
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "power-state"), "running"))
        self.browser.get(state["instance_url"])
        activity = self.text("#activity")
        self.assertIn("changed instance settings: variables GREETING", activity)
        self.assertIn("reinstalled instance", activity)
        self.browser.execute_script("document.getElementById('activity').scrollIntoView()")
        self.shot("04b-instance-activity")

    def test_03b_the_file_manager_uploads_edits_and_downloads(self):
        self.browser.get(state["instance_url"])
        self.click_and_load("#open-files")
        self.assertIn("greeting.txt", self.text("#file-list"), "the install's file is listed")
        self.type_into("new-folder-name", "plugins")
        self.click_and_load("#new-folder-form button")
        self.assertIn("The folder plugins was made.", self.text(".flash"))
        # Two files picked at once: a text file and a 5 MiB binary one, each with its progress bar.
        folder = tempfile.mkdtemp()
        properties = os.path.join(folder, "server.properties")
        with open(properties, "w") as file:
            file.write("motd=A Berth server\nmax-players=20\n")
        binary = os.path.join(folder, "world.bin")
        payload = bytes((index * 31) % 251 for index in range(5 << 20))
        with open(binary, "wb") as file:
            file.write(payload)
        page = self.browser.find_element(By.TAG_NAME, "html")
        self.find("#upload-input").send_keys(properties + "\n" + binary)
        self.wait.until(lambda browser: len(browser.find_elements(By.CSS_SELECTOR, "#upload-list progress")) == 2)
        WebDriverWait(self.browser, 60).until(EC.staleness_of(page))
        self.wait.until(EC.presence_of_element_located((By.ID, "file-list")))
        names = [row.get_attribute("data-name") for row in self.browser.find_elements(By.CSS_SELECTOR, "#file-list tbody tr")]
        self.assertEqual(names, ["plugins", "greeting.txt", "server.properties", "world.bin"], "folders first, then by name")
        self.assertIn("5.0 MiB", self.text("#file-list"))
        # A file dropped on the page is uploaded the same way.
        page = self.browser.find_element(By.TAG_NAME, "html")
        self.browser.execute_script("""
            var transfer = new DataTransfer();
            transfer.items.add(new File(['dropped on the page'], 'dropped.txt'));
            document.getElementById('files').dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
        """)
        WebDriverWait(self.browser, 60).until(EC.staleness_of(page))
        self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#file-list tr[data-name='dropped.txt']")))
        self.shot("04c-file-manager")
        # Downloads come back byte for byte.
        download = self.find("#file-list tr[data-name='world.bin'] a[download]").get_attribute("href")
        received = self.browser.execute_async_script("""
            var done = arguments[arguments.length - 1];
            fetch(arguments[0]).then(function (r) { return r.arrayBuffer(); }).then(function (buffer) {
                var bytes = new Uint8Array(buffer), sum = 0;
                for (var i = 0; i < bytes.length; i++) sum = (sum * 31 + bytes[i]) % 1000000007;
                done([bytes.length, sum]);
            });
        """, download)
        expected = 0
        for byte in payload:
            expected = (expected * 31 + byte) % 1000000007
        self.assertEqual(received, [len(payload), expected])
        # The editor: line numbers, Ctrl+S saves in place.
        self.click_and_load("#file-list tr[data-name='server.properties'] .file-name a")
        self.assertEqual(self.text("#editor-gutter").split(), ["1", "2", "3"])
        editor = self.find("#editor-text")
        editor.send_keys(Keys.CONTROL, Keys.END)
        editor.send_keys("white-list=true")
        self.assertEqual(self.text("#editor-status"), "Unsaved changes")
        editor.send_keys(Keys.CONTROL, "s")
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "editor-status"), "Saved at"))
        self.shot("04d-file-editor")
        saved = self.browser.execute_async_script("""
            var done = arguments[arguments.length - 1];
            fetch(arguments[0]).then(function (r) { return r.text(); }).then(done);
        """, self.find("a[download]").get_attribute("href"))
        self.assertEqual(saved, "motd=A Berth server\nmax-players=20\nwhite-list=true")
        # Back in the folder: archive a selection, delete the originals, extract the archive again.
        self.click_and_load("#back-to-folder")
        for name in ("server.properties", "world.bin"):
            self.find(f"#file-list tr[data-name='{name}'] input[name=selected]").click()
        Select(self.find("#archive-format")).select_by_value("zip")
        self.click_and_load("#archive-selected")
        self.assertRegex(self.text(".flash"), r"archive-.*\.zip was made\.")
        archive = next(row.get_attribute("data-name") for row in self.browser.find_elements(By.CSS_SELECTOR, "#file-list tbody tr")
                       if row.get_attribute("data-name").endswith(".zip"))
        for name in ("server.properties", "world.bin"):
            self.find(f"#file-list tr[data-name='{name}'] input[name=selected]").click()
        self.find("#delete-selected").click()
        self.browser.switch_to.alert.accept()
        self.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "2 entries were deleted."))
        self.find(f"#file-list tr[data-name='{archive}'] details.row-menu summary").click()
        self.shot("04e-file-row-menu")
        self.click_and_load(f"#file-list tr[data-name='{archive}'] form[action$='/files/extract'] button")
        self.assertIn(f"{archive} was extracted: 2 entries.", self.text(".flash"))
        self.assertIn("5.0 MiB", self.text("#file-list tr[data-name='world.bin']"), "the extracted file is whole")
        self.find("#file-list tr[data-name='dropped.txt'] input[name=selected]").click()
        self.find("#delete-selected").click()
        self.browser.switch_to.alert.accept()
        self.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "dropped.txt was deleted."))
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#file-list tr[data-name='dropped.txt']")), 0)
        state["files_url"] = self.browser.current_url
        shutil.rmtree(folder, ignore_errors=True)

    def test_03c_a_backup_is_made_and_restores_the_files(self):
        self.browser.get(state["instance_url"])
        self.click_and_load("#open-backups")
        self.assertTrue(self.find("#no-backups").is_displayed())
        self.type_into("backup-name", "before the cleanup")
        self.click_and_load("#make-backup-button")
        self.assertIn("The backup before the cleanup is being made", self.text(".flash"))
        # The page follows the backup without a reload (backups.js), and says when it is done; a backup
        # this small may be made before the page is shown at all.
        first = self.find("#backup-list tr[data-name='before the cleanup']").get_attribute("data-state")
        ready = "#backup-list tr[data-name='before the cleanup'][data-state='ready']"
        self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ready)))
        if first == "creating":
            self.assertEqual(self.text("#backup-status"), "The backup before the cleanup is ready.")
        backup = self.find(ready).get_attribute("id").removeprefix("backup-")
        # The files change: greeting.txt is deleted in the file manager.
        self.browser.get(state["instance_url"] + "/files")
        self.find("#file-list tr[data-name='greeting.txt'] input[name=selected]").click()
        self.find("#delete-selected").click()
        self.browser.switch_to.alert.accept()
        self.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "greeting.txt was deleted."))
        # Restoring takes a ticked box; then the file is back.
        self.browser.get(state["instance_url"] + "/backups")
        self.find(f"#backup-{backup} details.row-menu summary").click()
        self.find(f"#restore-confirm-{backup}").click()
        self.shot("04f-backup-restore")
        self.click_and_load(f"#restore-button-{backup}")
        self.assertIn("The backup is restored", self.text(".flash"))
        self.browser.get(state["instance_url"] + "/files")
        self.assertIn("greeting.txt", self.text("#file-list"), "the deleted file is back")

    def test_03d_a_schedule_is_set_up_and_run_now(self):
        self.browser.get(state["instance_url"])
        self.click_and_load("#open-schedules")
        self.type_into("schedule-name", "Announce")
        self.type_into("schedule-cron", "0 4 1 1 *")
        self.type_into("schedule-tasks", "command say hello from a schedule")
        self.click_and_load("#new-schedule-button")
        self.assertIn("The schedule Announce is set up.", self.text(".flash"))
        card = self.find("section.schedule[data-name='Announce']")
        schedule = card.get_attribute("id").removeprefix("schedule-")
        self.assertTrue(self.text(f"#next-run-{schedule}").endswith("-01-01 04:00 UTC"), self.text(f"#next-run-{schedule}"))
        self.click_and_load(f"#run-{schedule}")
        self.assertIn("Announce runs within seconds", self.text(".flash"))
        deadline = time.time() + 40
        while time.time() < deadline:
            self.browser.get(state["instance_url"] + "/schedules")
            if self.browser.find_elements(By.ID, f"outcomes-{schedule}"):
                break
            time.sleep(1)
        self.assertEqual(self.text(f"#outcomes-{schedule}"), "command: done")
        self.shot("04g-schedules")

    def test_04_api_key_is_shown_once_works_and_can_be_revoked(self):
        self.open("/admin/api-keys")
        self.find("#key-name").send_keys("billing")
        self.submit("#create-key")
        key = self.text("#new-key")
        self.assertTrue(key.startswith("berth_"))
        self.shot("06-api-key-created")
        # The form answered with a redirect: reloading shows the page again without creating a second key.
        self.browser.refresh()
        self.find("#keys")
        self.assertEqual(len(self.browser.find_elements(By.ID, "new-key")), 0, "the key is shown only once")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "tr[data-key=billing]")), 1, "a reload creates nothing")
        self.assertEqual(api("/api/nodes", key), 200, "the new key opens the API")
        self.open("/admin/api-keys")
        self.assertNotIn("never", self.text("tr[data-key=billing] .last-used"), "the key's use shows")
        self.assertEqual(self.text("tr[data-key=billing] .scopes"), "admin", "a key has the seed's full access unless told otherwise")
        # A read-only key: it reads, and a write is refused.
        self.find("#key-name").send_keys("dashboard")
        self.find("#key-scopes input[value=admin]").click()
        self.find("#key-scopes input[value=read]").click()
        self.submit("#create-key")
        reader = self.text("#new-key")
        self.assertEqual(api("/api/nodes", reader), 200)
        self.assertEqual(api("/api/nodes/create", reader, {"name": "x", "ram": "1G", "disk": "1G", "address": "192.0.2.1", "port": "3002"}), 403)
        self.open("/admin/api-keys")
        self.assertEqual(self.text("tr[data-key=dashboard] .scopes"), "read")
        self.assertEqual(len(self.browser.find_elements(By.ID, "new-key")), 0, "the key is not shown again")
        self.find("tr[data-key=billing] form button").click()
        self.browser.switch_to.alert.accept()
        self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "tr[data-key=billing] .badge-revoked")))
        self.assertEqual(api("/api/nodes", key), 401, "a revoked key is refused at once")
        self.shot("07-api-keys")

    def test_05_a_form_without_the_csrf_token_is_refused(self):
        self.open("/admin/api-keys")
        self.browser.execute_script("""
            const form = document.createElement('form');
            form.method = 'post'; form.action = '/admin/api-keys';
            const name = document.createElement('input'); name.name = 'name'; name.value = 'forged';
            form.appendChild(name); document.body.appendChild(form); form.submit();""")
        self.wait.until(EC.presence_of_element_located((By.ID, "error-message")))
        self.assertIn("did not come from Berth", self.text("#error-message"))
        self.shot("08-csrf-refused")
        self.open("/admin/api-keys")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "tr[data-key=forged]")), 0, "nothing was created")

    def test_06_a_second_user_cannot_open_the_first_users_instance(self):
        self.open("/admin/users")
        self.find("#new-username").send_keys("bob")
        self.find("#new-email").send_keys("bob@example.com")
        self.find("#new-password").send_keys("tall-cedar-sunrise")
        self.submit("#create-user")
        self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "tr[data-username=bob]")))
        self.shot("09-users")
        bob = new_browser()
        try:
            self.sign_in(bob, "bob", "tall-cedar-sunrise")
            WebDriverWait(bob, 30).until(EC.presence_of_element_located((By.ID, "no-instances")))
            self.assertEqual(len(bob.find_elements(By.CSS_SELECTOR, "nav a[href='/admin/users']")), 0, "a user sees no admin pages")
            bob.get(state["instance_url"])
            self.assertIn("no instance", bob.find_element(By.ID, "error-message").text.lower())
            self.assertEqual(len(bob.find_elements(By.ID, "console-output")), 0)
            bob.get(BASE + "/admin/users")
            self.assertIn("Only administrators", bob.find_element(By.ID, "error-message").text)
            self.shot("10-other-users-instance-refused", bob)
        finally:
            bob.quit()

    def test_06a_a_subuser_with_console_read_reads_but_cannot_command_power_or_change_settings(self):
        self.browser.get(state["instance_url"])
        self.find("#add-subuser #subuser-user").send_keys("bob")
        self.find("#add-subuser input[value='console.read']").click()
        self.click_and_load("#add-subuser-button")
        self.assertIn("bob can now reach", self.text(".flash"))
        self.assertTrue(self.find(".subuser[data-username=bob] input[value='console.read']").is_selected())
        self.shot("10a-subusers")
        bob = new_browser()
        try:
            self.sign_in(bob, "bob", "tall-cedar-sunrise")
            shared = WebDriverWait(bob, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#shared-instances a")))
            shared.click()
            WebDriverWait(bob, 30).until(EC.presence_of_element_located((By.ID, "instance")))
            for absent in ("#console-input", "[data-power]", "#instance-settings", "#add-subuser"):
                self.assertEqual(len(bob.find_elements(By.CSS_SELECTOR, absent)), 0, f"{absent} is not bob's")
            # The owner's command shows in bob's console.
            command = self.wait.until(EC.element_to_be_clickable((By.ID, "console-input")))
            command.send_keys("for bob", Keys.ENTER)
            WebDriverWait(bob, 30).until(EC.text_to_be_present_in_element((By.ID, "console-output"), "echo: for bob"))
            self.shot("10b-subuser-console", bob)
            # Taking console.read away reaches bob's open page within seconds: it draws itself again without the console.
            self.browser.get(state["instance_url"])
            self.find(".subuser[data-username=bob] input[value='console.read']").click()
            self.find(".subuser[data-username=bob] input[value='power.start']").click()
            self.click_and_load(".subuser[data-username=bob] form button")
            WebDriverWait(bob, 30).until(EC.presence_of_element_located((By.ID, "console-hidden")))
            self.assertEqual(len(bob.find_elements(By.CSS_SELECTOR, "[data-power=start]")), 1, "power.start now is")
            self.assertFalse(bob.find_element(By.ID, "console-output").is_displayed())
        finally:
            bob.quit()

    def test_07_admin_pages_show_nodes_images_and_the_audit_log(self):
        self.open("/admin/nodes")
        self.assertIn("online", self.text("#nodes tr[data-node=local]"))
        self.assertIn("SHA256:", self.text("#nodes tr[data-node=local] .certificate"), "the local node's certificate is pinned")
        self.shot("11-nodes")
        self.open("/admin/images")
        self.assertIn("Busybox echo", self.text("#images"))
        self.shot("12-images")
        self.open("/admin/instances")
        self.shot("13-instances")
        self.open("/admin/audit")
        audit = self.text("#audit")
        for action in ["deployed instance", "start instance", "stop instance", "created API key", "revoked API key", "created user"]:
            self.assertIn(action, audit)
        self.assertNotIn("console command", audit, "console commands do not crowd out the changes")
        self.assertNotIn("forged", audit)
        self.shot("14-audit-log")
        # Console commands have a view of their own: the first word whole, the arguments cut (a password typed
        # into a console is not kept).
        Select(self.find("#audit-kind")).select_by_visible_text("Console commands")
        self.click_and_load("#audit-apply")
        self.assertIn("<b>Echo</b> server: say <i>… (13 characters, cut)", self.text("#audit"), "console commands are audited, as text")
        # So do sign-ins, refused ones included, and the filter's fields narrow any view.
        Select(self.find("#audit-kind")).select_by_visible_text("Sign-ins")
        self.find("#audit-target").send_keys("admin")
        self.click_and_load("#audit-apply")
        sign_ins = self.text("#audit")
        self.assertIn("signed in", sign_ins)
        self.assertIn("sign-in refused: wrong password", sign_ins, "the wrong password of the first test was recorded")
        self.assertNotIn("bob", sign_ins)
        self.shot("14a-audit-sign-ins")

    def test_08_two_factor_enrolment_and_sign_in(self):
        self.open("/account")
        self.shot("15-account")
        self.click_and_load("#enrol-two-factor")
        shown = self.text("#totp-secret")
        self.assertRegex(shown, r"^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$", "the key is 32 characters, in groups of four")
        secret = shown.replace(" ", "")
        # An authenticator app scanning the code gets the enrolment URI with the key shown beside it.
        uri = self.scan_qr_code("#totp-qr.qr-ready")
        self.assertEqual(uri, self.find("#totp-qr").get_attribute("data-qr"))
        parts = urllib.parse.urlsplit(uri)
        self.assertEqual((parts.scheme, parts.netloc), ("otpauth", "totp"), uri)
        self.assertEqual(urllib.parse.parse_qs(parts.query).get("secret"), [secret], uri)
        self.shot("16-two-factor-enrol")
        self.assertEqual(serious_accessibility_violations(self.browser), [], "axe-core on this two-factor page")
        self.find("#code").send_keys("000000" if totp(secret, int(time.time()) // 30) != "000000" else "111111")
        self.click_and_load("#enable-two-factor")
        self.assertIn("not right", self.text("#enrol-error"))
        step = int(time.time()) // 30
        self.find("#code").send_keys(totp(secret, step))
        self.click_and_load("#enable-two-factor")
        codes = self.text("#recovery-codes").split()
        self.assertEqual(len(codes), 10)
        self.shot("17-recovery-codes")
        self.assertEqual(serious_accessibility_violations(self.browser), [], "axe-core on this two-factor page")
        self.click_and_load("#sign-out")
        # The password alone does not sign in: the session waits for the second factor.
        self.sign_in(self.browser, "admin", server.admin_password)
        self.wait.until(EC.presence_of_element_located((By.ID, "verify")))
        self.open("/")
        self.assertIn("/login", self.browser.current_url, "no page opens before the second factor")
        self.sign_in(self.browser, "admin", server.admin_password)
        self.find("#code").send_keys(totp(secret, step))
        self.click_and_load("#verify")
        self.assertIn("already used", self.text("#two-factor-error"), "a code is never accepted twice")
        self.shot("18-two-factor-code-reused")
        self.assertEqual(serious_accessibility_violations(self.browser), [], "axe-core on this two-factor page")
        while int(time.time()) // 30 <= step:
            time.sleep(1)
        self.find("#code").send_keys(totp(secret, int(time.time()) // 30))
        self.click_and_load("#verify")
        self.wait.until(EC.presence_of_element_located((By.ID, "sign-out")))
        # A recovery code signs in once.
        self.click_and_load("#sign-out")
        self.sign_in(self.browser, "admin", server.admin_password)
        self.find("#code").send_keys(codes[0])
        self.click_and_load("#verify")
        self.wait.until(EC.presence_of_element_located((By.ID, "sign-out")))
        self.open("/account")
        self.assertIn("9 recovery code(s) left", self.text("#two-factor-status"))

    def test_09_phone_and_dark_theme_layouts(self):
        cookie = self.browser.get_cookie("berth_session")
        dark = new_browser(1280, 900, dark=True)
        try:
            dark.get(BASE + "/login")
            dark.add_cookie({"name": "berth_session", "value": cookie["value"], "path": "/"})
            dark.get(state["instance_url"])
            WebDriverWait(dark, 30).until(EC.text_to_be_present_in_element((By.ID, "console-output"), "echo"))
            background = dark.execute_script("return getComputedStyle(document.body).backgroundColor")
            channels = [int(part) for part in background[background.index("(") + 1:background.index(")")].split(",")[:3]]
            self.assertLess(sum(channels) / 3, 100, "the dark theme has a dark background")
            dark.save_screenshot(os.path.join(SCREENSHOTS, "20-instance-dark.png"))
        finally:
            dark.quit()
        # At a phone's width every page fits: the navigation folds behind a menu button, tables become cards.
        phone = new_browser(390, 844)
        try:
            phone.get(BASE + "/login")
            phone.add_cookie({"name": "berth_session", "value": cookie["value"], "path": "/"})
            instance = urllib.parse.urlsplit(state["instance_url"]).path
            for path in ["/", instance, "/account", "/admin/instances", "/admin/users", "/admin/nodes", "/admin/images",
                         "/admin/api-keys", "/admin/mail", "/admin/audit"]:
                phone.get(BASE + path)
                WebDriverWait(phone, 30).until(EC.presence_of_element_located((By.ID, "main")))
                overflow = phone.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                slug = "instance" if path == instance else path.replace(instance, "instance").strip("/").replace("/", "-") or "dashboard"
                phone.save_screenshot(os.path.join(SCREENSHOTS, f"phone-{slug[:40]}.png"))
                self.assertLessEqual(overflow, 0, f"{path} fits a phone's width")
            phone.get(BASE + "/admin/users")
            self.assertFalse(phone.find_element(By.ID, "main-nav").is_displayed(), "the navigation is folded away")
            self.assertFalse(phone.find_element(By.CSS_SELECTOR, "#users thead").is_displayed() and
                             phone.find_element(By.CSS_SELECTOR, "#users thead").size["height"] > 1, "a table's head gives way to labels")
            self.assertEqual(phone.find_element(By.CSS_SELECTOR, "#users tbody td").get_attribute("data-label"), "Username")
            toggle = phone.find_element(By.ID, "menu-toggle")
            toggle.click()
            self.assertEqual(toggle.get_attribute("aria-expanded"), "true")
            self.assertTrue(phone.find_element(By.CSS_SELECTOR, "#main-nav a[href='/admin/nodes']").is_displayed(), "every link is in the menu")
            phone.save_screenshot(os.path.join(SCREENSHOTS, "19-phone-menu-open.png"))
        finally:
            phone.quit()

    def test_09a_no_page_has_a_serious_accessibility_problem_in_either_theme(self):
        """axe-core on every page, light and dark, signed in as the admin and signed out; a screenshot of each."""
        cookie = self.browser.get_cookie("berth_session")
        instance = urllib.parse.urlsplit(state["instance_url"]).path
        signed_in = ["/", instance, "/account", "/admin/instances", "/admin/users", "/admin/nodes", "/admin/images",
                     "/admin/api-keys", "/admin/mail", "/admin/audit", "/admin/audit?kind=console",
                     "/instances/00000000-0000-0000-0000-000000000000", instance + "/files",
                     instance + "/files/edit?path=server.properties", instance + "/backups",
                     instance + "/schedules", instance + "/webhooks", "/admin/webhooks"]
        problems = []
        for dark in (False, True):
            theme = "dark" if dark else "light"
            other = new_browser(dark=dark)
            try:
                other.get(BASE + "/login")
                problems += [f"{theme} /login: {problem}" for problem in serious_accessibility_violations(other)]
                other.add_cookie({"name": "berth_session", "value": cookie["value"], "path": "/"})
                for path in signed_in:
                    other.get(BASE + path)
                    WebDriverWait(other, 30).until(EC.presence_of_element_located((By.ID, "main")))
                    problems += [f"{theme} {path}: {problem}" for problem in serious_accessibility_violations(other)]
                    slug = "instance" if path == instance else path.replace(instance, "instance").strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "dashboard"
                    other.save_screenshot(os.path.join(SCREENSHOTS, f"page-{theme}-{slug[:40]}.png"))
                # A refused form, with its summary and the fields marked.
                other.get(BASE + "/admin/users")
                other.find_element(By.ID, "new-username").send_keys("not valid!")
                other.find_element(By.ID, "new-email").send_keys("someone@example")  # the browser lets it by; the panel does not
                other.find_element(By.ID, "new-password").send_keys("password")
                self.click_and_load("#create-user button.button-primary", other)
                self.assertEqual(other.switch_to.active_element.get_attribute("id"), "error-summary", "the summary takes focus")
                problems += [f"{theme} refused form: {problem}" for problem in serious_accessibility_violations(other)]
                other.save_screenshot(os.path.join(SCREENSHOTS, f"page-{theme}-refused-form.png"))
            finally:
                other.quit()
        self.assertEqual(problems, [], "axe-core found:\n" + "\n".join(problems))

    def test_10_open_pages_follow_a_suspension_and_the_deletion_made_elsewhere(self):
        # bob (a subuser since test 06a) watches the instance page and his list while the admin acts.
        page, listing = new_browser(), new_browser()
        try:
            for browser in (page, listing):
                self.sign_in(browser, "bob", "tall-cedar-sunrise")
            page.get(state["instance_url"])
            listing.get(BASE + "/")
            WebDriverWait(listing, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#shared-instances tr[data-instance-id]")))
            row = "#shared-instances tr[data-instance-id]"
            self.wait.until(lambda _: listing.find_element(By.CSS_SELECTOR, row + " .live-state .badge").text in ("running", "offline"))
            self.assertEqual(len(listing.find_elements(By.CSS_SELECTOR, "[data-socket-url]")), 0, "no console socket per row")

            self.open("/admin/instances")
            self.find("tr[data-instance='<b>Echo</b> server'] form[action$='/suspend'] button").click()
            self.browser.switch_to.alert.accept()
            self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
            WebDriverWait(page, 30).until(EC.text_to_be_present_in_element((By.ID, "power-state"), "suspended"))
            self.assertIn("was suspended", page.find_element(By.ID, "console-connection").text)
            WebDriverWait(listing, 30).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, row + " .live-state"), "suspended"))
            self.shot("21-suspended-elsewhere", page)

            self.find("tr[data-instance='<b>Echo</b> server'] form[action$='/unsuspend'] button").click()
            # The page reloads itself on the unsuspension: an element may go stale between finding and reading it.
            WebDriverWait(page, 30, ignored_exceptions=[StaleElementReferenceException]).until(
                lambda browser: browser.find_element(By.ID, "power-state").text not in ("suspended", ""))
            WebDriverWait(listing, 30).until(lambda browser: browser.find_element(By.CSS_SELECTOR, row + " .live-state .badge").text != "suspended")

            self.open("/admin/instances")
            self.find("tr[data-instance='<b>Echo</b> server'] .button-danger").click()
            self.browser.switch_to.alert.accept()
            self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
            self.assertIn("was deleted", self.text(".flash"))
            self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#all-instances tbody tr")), 0)
            # The open page says so and stops reconnecting; the list marks the row.
            WebDriverWait(page, 30).until(EC.text_to_be_present_in_element((By.ID, "console-connection"), "was deleted"))
            self.assertEqual(page.find_element(By.ID, "power-state").text, "deleted")
            self.assertNotIn("reconnecting", page.find_element(By.ID, "console-connection").text)
            WebDriverWait(listing, 30).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, row + " .live-state"), "deleted"))
            self.assertEqual(len(listing.find_elements(By.CSS_SELECTOR, row + " a")), 0, "a deleted instance's row links nowhere")
            self.shot("22-deleted-elsewhere", page)
            self.shot("23-deleted-elsewhere-list", listing)
        finally:
            page.quit()
            listing.quit()


if __name__ == "__main__":
    unittest.main(verbosity=2)
