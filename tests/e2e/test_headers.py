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


def test_the_production_start_prints_no_false_advice(app_url, tmp_path_factory):
    """Reflex's own schema check told every start "Target database is not up to date. Run reflex db migrate"
    (our alembic migrations run at start; `reflex db` knows nothing of them)."""
    log = (tmp_path_factory.getbasetemp() / "reflex-run.log").read_text()
    assert "App running at" in log
    assert "reflex db" not in log and "makemigrations" not in log, log
