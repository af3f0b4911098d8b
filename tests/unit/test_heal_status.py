"""heal's lock, status file and their readers: the header's badge, the exporter's metrics, the hook."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from sutazai_tui.actions.audit import AuditLog
from sutazai_tui.config.settings import Settings
from sutazai_tui.core.alerts import hook_payload
from sutazai_tui.integrations.heal_status import (
    HealLock,
    HealView,
    LockHeld,
    deployment_key,
    lock_path,
    read_heal,
    status_path,
    write_status,
)
from sutazai_tui.integrations.metrics import SutazaiCollector
from sutazai_tui.models import Event, Snapshot

NOW = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path / "state", interval=10)


def test_one_lock_per_deployment_and_the_second_says_who_holds_it(settings: Settings) -> None:
    first = HealLock(lock_path(settings)).acquire()
    try:
        with pytest.raises(LockHeld, match=rf"another heal \(pid {os.getpid()} on .*\) already heals"):
            HealLock(lock_path(settings)).acquire()
        other = settings.model_copy(update={"base_url": "http://127.0.0.1:10011"})
        HealLock(lock_path(other)).acquire().release()  # another deployment: its own lock
    finally:
        first.release()
    HealLock(lock_path(settings)).acquire().release()  # released: free again
    assert oct(lock_path(settings).stat().st_mode & 0o777) == "0o600"


def test_the_key_names_the_host_and_differs_by_engine_and_prefix() -> None:
    key = deployment_key(Settings(base_url="https://backend.example:8443/api"))
    assert key.startswith("backend.example_8443-") and "/" not in key
    assert key != deployment_key(Settings(base_url="https://backend.example:8443/api", container_prefix="x-"))
    assert key != deployment_key(
        Settings(base_url="https://backend.example:8443/api", docker_host="tcp://h:1")
    )


def status(**over: object) -> dict[str, object]:
    base: dict[str, object] = {"updated_at": NOW.isoformat(), "interval": 10, "apply": True, "pid": 7}
    base.update(breakers={"sutazai-agent": "did not clear"}, counts={"restart:done": 2, "refused:policy": 1})
    return {**base, **over}


def test_a_fresh_status_is_an_active_heal_and_a_stale_or_stopped_one_is_not(settings: Settings) -> None:
    assert read_heal(settings, NOW) is None  # never ran here
    write_status(status_path(settings), status())
    view = read_heal(settings, NOW + timedelta(seconds=30))
    assert view is not None and view.active and view.apply and view.pid == 7
    assert view.breakers == {"sutazai-agent": "did not clear"} and view.counts["restart:done"] == 2
    later = read_heal(settings, NOW + timedelta(minutes=5))
    assert later is not None and not later.active
    write_status(status_path(settings), status(stopped=True))
    stopped = read_heal(settings, NOW)
    assert stopped is not None and not stopped.active
    status_path(settings).write_text("{torn")
    assert read_heal(settings, NOW) is None


def test_the_last_hour_comes_from_heal_lines_of_the_audit_log(settings: Settings) -> None:
    log = AuditLog(settings.audit_path)
    log.record({"action": "restart", "container": "a", "result": "done", "via": "heal"})
    log.record({"action": "restart", "container": "a", "result": "done", "via": "key R"})  # not heal's
    log.record({"action": "heal", "container": "b", "result": "page", "via": "heal"})
    log.record({"action": "heal", "container": "a", "result": "breaker-open", "via": "heal"})
    write_status(status_path(settings), status(updated_at=datetime.now(UTC).isoformat()))
    view = read_heal(settings)
    assert view is not None and view.last_hour == {"restart": 1, "page": 1, "breaker": 1}
    assert view.badge() == ("HEAL", "1 breaker, 1 page, 1 restart in 1h", "breaker open: sutazai-agent")
    assert read_heal(settings, audit=False) == HealView(
        active=True, apply=True, pid=7, breakers=view.breakers, counts=view.counts
    )


def test_the_badge_says_dry_run_stopped_or_nothing() -> None:
    assert HealView().badge() == ("", "", "")
    assert HealView(active=True).badge() == ("HEAL dry-run", "nothing in 1h", "")
    assert HealView(last_hour={"page": 2}).badge() == ("HEAL stopped", "2 pages in 1h", "")


def test_the_exporter_serves_heal_actions_refusals_and_open_breakers() -> None:
    collector = SutazaiCollector("prod", 10.0)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    view = HealView(active=True, apply=True, breakers={"sutazai-agent": "x"}, counts=status()["counts"])  # type: ignore[arg-type]
    collector.observe(Snapshot(taken_at=NOW), [], heal=view)
    found = {
        (s.name, tuple(sorted((k, v) for k, v in s.labels.items() if k != "target"))): s.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for s in family.samples
    }
    assert found[("sutazai_heal_active", ())] == 1 and found[("sutazai_heal_apply", ())] == 1
    assert found[("sutazai_heal_actions_total", (("result", "done"),))] == 2
    assert found[("sutazai_heal_actions_total", (("result", "would"),))] == 0
    assert found[("sutazai_heal_refusals_total", (("reason", "policy"),))] == 1
    assert found[("sutazai_heal_breaker_open", (("container", "sutazai-agent"),))] == 1
    collector.observe(Snapshot(taken_at=NOW), [], heal=None)  # no heal here: no heal series at all
    assert b"sutazai_heal" not in generate_latest(registry)


def test_a_heal_page_carries_the_decision_and_finding_beside_the_event() -> None:
    event = Event(at=NOW, kind="note", subject="container:x", reason="heal: will not restart x")
    doc = json.loads(hook_payload(event, {"heal": {"decision": "page", "finding": {"id": "missing-env"}}}))
    assert doc["subject"] == "container:x" and doc["heal"]["finding"]["id"] == "missing-env"
    assert json.loads(hook_payload(event)) == json.loads(event.model_dump_json())


def test_a_restarted_heal_takes_its_hour_and_breakers_from_the_audit_log(settings: Settings) -> None:
    from sutazai_tui.integrations.heal_run import restored

    now = datetime.now(UTC)
    log = AuditLog(settings.audit_path)
    for ago, container, result in ((30, "a", "done"), (50, "b", "failed"), (90, "a", "done")):
        log.record(
            {"time": (now - timedelta(minutes=ago)).isoformat(), "action": "restart", "container": container}
            | {"result": result, "via": "heal"}
        )
    log.record({"action": "restart", "container": "a", "result": "done", "via": "key R"})  # a person's
    log.record({"action": "heal", "container": "a", "result": "breaker-open", "via": "heal", "message": "m"})
    log.record({"action": "heal", "container": "b", "result": "breaker-open", "via": "heal", "message": "n"})
    log.record({"action": "heal", "container": "a", "result": "breaker-closed", "via": "heal"})
    actions, breakers = restored(settings, now)
    assert sorted(name for _, name in actions) == ["a", "b"]  # the last hour's, heal's only
    assert breakers == {"b": "n"}
