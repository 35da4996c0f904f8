"""`datadeed assess`, `rules suggest` and `overlap` on real files, checked against an
independent computation of the same numbers."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from tests.functional.helpers import one_error_line, run

ROWS = [
    {"id": i, "city": random.Random(i).choice(["杭州", "宁波", "温州", None]), "amount": i * 1.5}
    for i in range(1, 201)
]


def _write_csv(path: Path, rows: list[dict]) -> Path:  # type: ignore[type-arg]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "city", "amount"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_assess_json_has_the_contract_and_true_numbers(cli_env, tmp_path):
    data = _write_csv(tmp_path / "orders.csv", [*ROWS, ROWS[0]])  # one duplicate row
    result = run(cli_env, "assess", str(data), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["row_count"] == 201 and report["duplicate_rows"] == 1
    city = next(c for c in report["columns"] if c["name"] == "city")
    assert city["null_count"] == sum(1 for r in [*ROWS, ROWS[0]] if r["city"] is None)
    assert city["distinct_count"] == len({r["city"] for r in ROWS if r["city"] is not None})
    ids = next(c for c in report["columns"] if c["name"] == "id")
    assert (ids["min"], ids["max"]) == (1, 200)
    assert set(report["dimensions"]) == {
        "normativity",
        "completeness",
        "accuracy",
        "consistency",
        "timeliness",
        "accessibility",
    }
    assert report["dimensions"]["timeliness"]["score"] is None
    assert report["grade"] in "ABCDE" and 0 <= report["score"] <= 100
    assert report["fingerprint"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert len(report["fingerprint"]["content"]) == 64


def test_same_rows_in_parquet_and_shuffled_give_the_same_content_fingerprint(cli_env, tmp_path):
    shuffled = ROWS[:]
    random.Random(3).shuffle(shuffled)
    csv_path = _write_csv(tmp_path / "a.csv", ROWS)
    table = pa.table({k: [r[k] for r in shuffled] for k in ("id", "city", "amount")})
    pq.write_table(table, tmp_path / "b.parquet")
    reports = [
        json.loads(run(cli_env, "assess", str(p), "--json").stdout)
        for p in (csv_path, tmp_path / "b.parquet")
    ]
    assert reports[0]["fingerprint"]["content"] == reports[1]["fingerprint"]["content"]
    assert reports[0]["fingerprint"]["sha256"] != reports[1]["fingerprint"]["sha256"]
    overlap = json.loads(
        run(cli_env, "overlap", str(csv_path), str(tmp_path / "b.parquet"), "--json").stdout
    )
    assert overlap["identical_content"] is True and overlap["jaccard"] == 1.0


def test_overlap_of_a_subset(cli_env, tmp_path):
    whole = _write_csv(tmp_path / "whole.csv", ROWS)
    half = _write_csv(tmp_path / "half.csv", ROWS[:100])
    result = json.loads(run(cli_env, "overlap", str(half), str(whole), "--json").stdout)
    assert result["containment_a_in_b"] > 0.9
    assert 0.35 < result["jaccard"] < 0.65  # exact: 100 / 200


def test_rules_suggest_then_assess_with_them(cli_env, tmp_path):
    data = _write_csv(tmp_path / "orders.csv", ROWS)
    suggested = run(cli_env, "rules", "suggest", str(data))
    assert suggested.returncode == 0, suggested.stderr
    rules = yaml.safe_load(suggested.stdout)
    assert any(r["type"] == "unique" and r.get("columns") == ["id"] for r in rules["rules"])
    (tmp_path / "rules.yaml").write_text(suggested.stdout, encoding="utf-8")
    result = run(cli_env, "assess", str(data), "--rules", str(tmp_path / "rules.yaml"), "--json")
    report = json.loads(result.stdout)
    assert all(r["a"] == r["b"] for r in report["rules"]), "suggested rules hold on their data"


def test_bad_inputs_are_one_line(cli_env, tmp_path):
    one_error_line(run(cli_env, "assess", str(tmp_path / "missing.csv")), "invalid_input")
    (tmp_path / "empty.csv").write_bytes(b"")
    one_error_line(run(cli_env, "assess", str(tmp_path / "empty.csv")), "empty_file")
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    one_error_line(run(cli_env, "assess", str(tmp_path / "image.csv")), "binary_file")
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3\n", encoding="utf-8")
    one_error_line(run(cli_env, "assess", str(tmp_path / "ragged.csv")), "ragged_rows")
    (tmp_path / "rules.yaml").write_text("rules: [{type: nonsense}]\n", encoding="utf-8")
    _write_csv(tmp_path / "ok.csv", ROWS)
    result = run(
        cli_env, "assess", str(tmp_path / "ok.csv"), "--rules", str(tmp_path / "rules.yaml")
    )
    one_error_line(result, "invalid_ruleset")


def _run_on_a_tty(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run the CLI with stdout and stderr on a pseudo-terminal; returns (status, output)."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datadeed", *args],
        env={**env, "TERM": "xterm"},
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_assess_shows_a_progress_bar_on_a_terminal_only(cli_env, tmp_path):
    data = _write_csv(tmp_path / "orders.csv", ROWS)
    status, output = _run_on_a_tty(cli_env, "assess", str(data))
    assert status == 0, output
    assert "━" in output  # Rich's bar, drawn while the queries run
    assert "grade" in output
    as_json = run(cli_env, "assess", str(data), "--json")  # not a terminal: no bar
    assert "━" not in as_json.stdout + as_json.stderr
    json.loads(as_json.stdout)


def test_jobs_run_drains_the_queue(migrated):
    from datadeed.accounts.principal import Principal
    from datadeed.db import Database
    from datadeed.jobs.models import Job
    from datadeed.jobs.services import JobService
    from tests.conftest import make_settings

    url = migrated["DATADEED_DATABASE_URL"]
    database = Database.from_url(url)
    service = JobService(database, make_settings(Path(migrated["DATADEED_HOME"]), url))
    job = service.enqueue("quality.assess", {"version_id": 404}, Principal.system())
    result = run(migrated, "jobs", "run")
    assert result.returncode == 0, result.stderr
    assert "ran 1 job(s)" in result.stdout
    with database.session() as session:
        done = session.get(Job, job.id)
        assert done is not None
        assert (done.status, done.error_code) == ("failed", "not_found")
    assert "ran 0 job(s)" in run(migrated, "jobs", "run").stdout
    database.bind.dispose()  # type: ignore[union-attr]
