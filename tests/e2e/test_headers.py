"""The production app sends its security headers, and a script injected into a page cannot run."""

import urllib.request


def test_production_responses_carry_security_headers(app_url):
    for path in ("/", "/login", "/ping"):
        with urllib.request.urlopen(f"{app_url}{path}") as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        script_src = next(part for part in csp.split("; ") if part.startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src and "*" not in script_src
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_an_injected_inline_script_is_blocked(browser, app_url):
    context = browser.new_context(base_url=app_url)
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.goto("/login")
    page.wait_for_load_state("networkidle")
    ran = page.evaluate(
        """() => new Promise(resolve => {
            window.__injected = false;
            const s = document.createElement('script');
            s.textContent = 'window.__injected = true';
            document.body.appendChild(s);
            setTimeout(() => resolve(window.__injected), 200);
        })"""
    )
    assert ran is False
    assert any("inline script" in text for text in violations)
    context.close()


def test_the_production_start_prints_the_deployment_settings_and_no_false_advice(app_url, tmp_path_factory):
    """`make serve` (python -m djangochat_rx serve) prints what a deployment needs to know. Reflex's own
    advice was wrong here: its schema check said "Run reflex db migrate" at every start (our alembic
    migrations run at start), its first-start set-up "Run `uv run reflex run`", and its registry probe
    "Failed to connect" for a mirror out of reach."""
    log = (tmp_path_factory.getbasetemp() / "reflex-run.log").read_text()
    port = app_url.rsplit(":", 1)[1]
    assert "DjangoChat RX, production start:" in log
    assert f"Listening on http://127.0.0.1:{port} (HOST, PORT)" in log
    assert "Database     sqlite:///" in log and "Workers      1 (WORKERS)" in log
    # The database is empty at the start: the first visit sets it up.
    assert f"Sign-up      not set up yet: open http://127.0.0.1:{port}/setup to create the first administrator" in log
    assert "Web Push     on: VAPID key in the database" in log
    assert "Email        off" in log
    assert "App running at" in log
    for advice in ("reflex db", "makemigrations", "uv run", "Failed to connect"):
        assert advice not in log, log
