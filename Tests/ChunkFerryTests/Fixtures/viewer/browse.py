"""Opens the footage viewer of `chunkferry serve` in headless Chromium and plays a recording, as a person would.

What it checks: the page lists every expected camera (a `.camera` element per data-path), and clicking the
first recording bar of the first of them really plays: `video#player` gets past 3 s. Why a real browser:
only there do the page's script, the <video> element's demuxer and the server's streamed fMP4 meet; an
HTTP client can fetch the bytes but cannot tell whether they play. The screenshot is for a human to look at.

Usage: python3 browse.py BASE_URL SCREENSHOT_PATH EXPECTED_CAMERA [EXPECTED_CAMERA...]
Prints the camera paths it saw, then one JSON line:
{"cameras": [...], "current_time": float, "video_width": int, "src": "...", "message": "text of #message"}.
On failure exits 1 with a one-line reason on stderr (and still saves the screenshot). Console entries of
level SEVERE go to stderr either way. Needs Debian's chromium and chromedriver, and selenium.
"""
import json
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import ElementClickInterceptedException, ElementNotInteractableException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

TIMEOUT = 30


class Failure(Exception):
    pass


def wait_for(what, probe, timeout=TIMEOUT):
    """Polls probe() until it returns something truthy and returns that; raises Failure(what) at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"{what} after {timeout} s")
        time.sleep(0.25)


def seen_cameras(driver):
    return driver.execute_script("return Array.from(document.querySelectorAll('.camera'), (e) => e.dataset.path);")


def page_message(driver):
    return driver.execute_script("const m = document.getElementById('message'); return m ? m.textContent : '';")


def video_state(driver):
    return driver.execute_script("""
        const v = document.querySelector('video#player');
        if (!v) return null;
        return {current_time: v.currentTime, video_width: v.videoWidth, src: v.src, ready_state: v.readyState,
                network_state: v.networkState, error: v.error ? v.error.code : null};
    """)


def browse(driver, base_url, expected):
    driver.get(base_url)
    cameras = []

    def all_listed():
        cameras[:] = seen_cameras(driver)
        return all(path in cameras for path in expected)

    try:
        wait_for("cameras not listed", all_listed)
    except Failure:
        missing = [path for path in expected if path not in cameras]
        raise Failure(f"cameras {missing} not listed after {TIMEOUT} s; saw {cameras}; #message: {page_message(driver)!r}")
    print("cameras: " + ", ".join(cameras), flush=True)

    bar = driver.execute_script(
        "const box = Array.from(document.querySelectorAll('.camera')).find((e) => e.dataset.path === arguments[0]);"
        "return box ? box.querySelector('.recording') : null;", expected[0])
    if bar is None:
        raise Failure(f"camera {expected[0]} has no .recording bar")
    try:
        bar.click()
    except (ElementClickInterceptedException, ElementNotInteractableException):
        driver.execute_script("arguments[0].click();", bar)

    def played():
        state = video_state(driver)
        return state if state and state["current_time"] > 3 else None

    try:
        state = wait_for("video did not play", played)
    except Failure:
        raise Failure(f"video#player did not get past 3 s in {TIMEOUT} s: {video_state(driver)}; "
                      f"#message: {page_message(driver)!r}")
    return {"cameras": cameras, "current_time": float(state["current_time"]), "video_width": int(state["video_width"]),
            "src": state["src"], "message": page_message(driver)}


def main(argv):
    if len(argv) < 4:
        print("usage: browse.py BASE_URL SCREENSHOT_PATH EXPECTED_CAMERA [EXPECTED_CAMERA...]", file=sys.stderr)
        return 2
    base_url, screenshot, expected = argv[1], argv[2], argv[3:]
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--autoplay-policy=no-user-gesture-required",
                     "--window-size=1280,900", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    except WebDriverException as error:
        print(f"could not start chromium: {(error.msg or str(error)).splitlines()[0]}", file=sys.stderr)
        return 1

    failure, result = None, None
    try:
        result = browse(driver, base_url, expected)
    except Failure as error:
        failure = str(error)
    except WebDriverException as error:
        failure = f"webdriver: {(error.msg or type(error).__name__).splitlines()[0]}"
    try:
        driver.save_screenshot(screenshot)
        for entry in driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                print(f"console: {entry.get('message')}", file=sys.stderr)
    except WebDriverException as error:
        failure = failure or f"screenshot or console log: {(error.msg or type(error).__name__).splitlines()[0]}"
    finally:
        driver.quit()
    if failure:
        print(failure, file=sys.stderr)
        return 1
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
