"""The allow-list on its own (actions/allow.py): who may be touched, a protected name typed, one at a time."""

from __future__ import annotations

from sutazai_tui.actions.allow import AllowList
from sutazai_tui.actions.backends import ContainerInfo
from sutazai_tui.config.settings import Settings


def info(name: str, **labels: str) -> ContainerInfo:
    return ContainerInfo(name=name, id="f" * 64, labels=labels)


def test_only_monitored_containers_are_ours_by_prefix_or_label() -> None:
    allow = AllowList(Settings(container_labels=["team=sutazai"]))
    assert allow.outside(info("sutazai-backend")) is None
    assert allow.outside(info("cache", team="sutazai")) is None
    refusal = allow.outside(info("postgres-other"))
    assert refusal == (
        "postgres-other is not a monitored container (name prefix 'sutazai-' or labels team=sutazai); "
        "not touching it"
    )


def test_a_protected_container_needs_its_own_name_typed() -> None:
    allow = AllowList(Settings(protected=["sutazai-db"]))
    db = info("sutazai-db")
    assert allow.is_protected("sutazai-db") and not allow.is_protected("sutazai-backend")
    assert allow.refusal(db, None) == "sutazai-db is protected: type its name to confirm"
    assert allow.refusal(db, "sutazai-d") == "sutazai-db is protected: type its name to confirm"
    assert allow.refusal(db, "sutazai-db") is None
    assert allow.refusal(info("other-db"), "other-db") is not None  # typing never lets outsiders in


def test_one_action_at_a_time_per_container() -> None:
    allow = AllowList(Settings())
    with allow.claim("sutazai-backend") as first:
        with allow.claim("sutazai-backend") as second, allow.claim("sutazai-redis") as other:
            assert (first, second, other) == (True, False, True)
        with allow.claim("sutazai-backend") as still:
            assert not still  # the refused claim did not release the holder's slot
    with allow.claim("sutazai-backend") as again:
        assert again
