"""The `datadeed` command, run as a real subprocess against a fresh database."""

from __future__ import annotations

import json

from datadeed import migrations
from datadeed.demo import DEMO_ORGS
from datadeed.identifiers import make_uscc
from tests.functional.helpers import one_error_line, run


def create_org(env: dict[str, str], body17: str, name: str, kind: str) -> dict[str, object]:
    uscc = make_uscc(body17)
    result = run(env, "org", "create", "--uscc", uscc, "--name", name, "--kind", kind, "--json")
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_help_lists_the_commands(cli_env):
    result = run(cli_env, "--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "db", "config", "org", "user", "token"):
        assert command in result.stdout


def test_db_upgrade_reports_the_revision(migrated):
    result = run(migrated, "db", "current")
    head = migrations.head_revision()
    assert f"current: {head}" in result.stdout and f"head: {head}" in result.stdout


def test_commands_before_migration_fail_with_one_line(cli_env):
    one_error_line(run(cli_env, "org", "list"), "database_error")


def test_demo_seed_is_idempotent_and_complete(cli_env):
    first = run(cli_env, "demo", "--seed-only")
    assert first.returncode == 0, first.stderr
    assert "Datadeed-Demo-2026" in first.stdout
    assert run(cli_env, "demo", "--seed-only").returncode == 0
    orgs = json.loads(run(cli_env, "org", "list", "--json").stdout)
    assert sorted(o["uscc"] for o in orgs) == sorted(o.uscc for o in DEMO_ORGS)
    kinds = [o["kind"] for o in orgs]
    for kind in ("registrar", "appraiser", "bank", "regulator", "platform_operator"):
        assert kind in kinds
    assert kinds.count("enterprise") == 3


def test_org_create_and_bad_uscc(migrated):
    uscc = make_uscc("91330108MA2DCL101")
    ok = run(
        migrated,
        "org",
        "create",
        "--uscc",
        uscc,
        "--name",
        "命令行测试公司",
        "--kind",
        "bank",
        "--json",
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["uscc"] == uscc
    wrong = uscc[:-1] + ("1" if uscc[-1] != "1" else "2")
    line = one_error_line(
        run(migrated, "org", "create", "--uscc", wrong, "--name", "错码公司", "--kind", "bank"),
        "invalid_identifier",
    )
    assert "check character" in line
    one_error_line(
        run(migrated, "org", "create", "--uscc", uscc, "--name", "重复", "--kind", "bank"),
        "duplicate_organization",
    )


def test_user_and_token_lifecycle(migrated):
    org = create_org(migrated, "91330108MA2DCL202", "令牌测试公司", "enterprise")
    base = [
        "user",
        "create",
        "--org",
        str(org["id"]),
        "--username",
        "cli.user",
        "--display-name",
        "命令行用户",
        "--role",
        "data_manager",
    ]
    one_error_line(run(migrated, *base, "--password", "weakweak"), "weak_password")
    created = run(migrated, *base, "--password", "Cli-Secret-2026x", "--json")
    assert created.returncode == 0, created.stderr
    one_error_line(run(migrated, *base, "--password", "Cli-Secret-2026x"), "duplicate_user")
    token = json.loads(
        run(migrated, "token", "create", "--username", "cli.user", "--name", "ci", "--json").stdout
    )
    assert token["token"].startswith("ddt_")
    listed = json.loads(run(migrated, "token", "list", "--username", "cli.user", "--json").stdout)
    assert [t["revoked"] for t in listed] == [False]
    assert run(migrated, "token", "revoke", str(token["id"])).returncode == 0
    listed = json.loads(run(migrated, "token", "list", "--username", "cli.user", "--json").stdout)
    assert [t["revoked"] for t in listed] == [True]
    one_error_line(run(migrated, "token", "list", "--username", "ghost"), "not_found")


def test_bad_role_for_kind_is_one_line(migrated):
    org = create_org(migrated, "91330108MA2DCL303", "角色测试", "bank")
    result = run(
        migrated,
        "user",
        "create",
        "--org",
        str(org["id"]),
        "--username",
        "x.y",
        "--display-name",
        "X",
        "--role",
        "reviewer",
        "--password",
        "Good-Password-1",
    )
    one_error_line(result, "invalid_input")


def test_config_show_masks_the_secret(cli_env):
    env = dict(cli_env, DATADEED_SECRET_KEY="k" * 40)
    shown = json.loads(run(env, "config", "show", "--json").stdout)
    assert shown["secret_key"] == "********"
    assert shown["home"].endswith("home")


def test_bad_config_is_one_line(cli_env):
    env = dict(cli_env, DATADEED_CONFIG_FILE="/nonexistent/datadeed.toml")
    one_error_line(run(env, "config", "show"), "configuration_error")
