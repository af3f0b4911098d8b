"""The cgroup readers on file trees laid out as each layout is (v1/v2, cgroupfs/systemd drivers).

This machine runs cgroup v1 with cgroupfs (the engine tests cover it live); the other layouts are
built here as real files, in the shapes the kernel writes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sutazai_tui.sources.engine import cgroups
from sutazai_tui.sources.engine.stats import stats_fields
from sutazai_tui.sources.ssh.mux import _script, explain, parse_dump

CID = "ab" * 32
PROC_STAT = "cpu  100 0 100 700 0 0 0 0 0 0\ncpu0 50 0 50 350 0 0 0 0 0 0\ncpu1 50 0 50 350 0 0 0 0 0 0\n"
MEMINFO = "MemTotal:        2048000 kB\nMemFree:  1 kB\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def v1(root: Path, group: str) -> None:
    write(root, f"cpuacct/{group}/cpuacct.usage", "5000000000\n")
    write(root, f"memory/{group}/memory.usage_in_bytes", "10485760\n")
    write(root, f"memory/{group}/memory.limit_in_bytes", "9223372036854771712\n")
    write(root, f"memory/{group}/memory.stat", "cache 4096\ntotal_inactive_file 2097152\n")
    io = "8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\n8:16 Read 1\nTotal 12289\n"
    write(root, f"blkio/{group}/blkio.throttle.io_service_bytes_recursive", io)
    write(root, f"pids/{group}/pids.current", "3\n")


def v2(root: Path, group: str) -> None:
    write(root, f"{group}/cpu.stat", "usage_usec 5000000\nuser_usec 4000000\nsystem_usec 1000000\n")
    write(root, f"{group}/memory.current", "10485760\n")
    write(root, f"{group}/memory.max", "67108864\n")
    write(root, f"{group}/memory.stat", "anon 1\ninactive_file 2097152\n")
    write(root, f"{group}/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2\n8:16 rbytes=1 wbytes=0\n")
    write(root, f"{group}/pids.current", "3\n")


@pytest.mark.parametrize(
    ("layout", "group", "limit"),
    [
        (v1, f"docker/{CID}", 2048000 * 1024),  # v1 "no limit" is the host's memory, as the engine says
        (v1, f"system.slice/docker-{CID}.scope", 2048000 * 1024),
        (v2, f"docker/{CID}", 67108864),
        (v2, f"system.slice/docker-{CID}.scope", 67108864),
    ],
)
def test_every_layout_reads_the_same_numbers(tmp_path: Path, layout: object, group: str, limit: int) -> None:
    layout(tmp_path, group)  # type: ignore[operator]
    read = cgroups.local_reader(str(tmp_path))
    clock = cgroups.host_clock(PROC_STAT, MEMINFO)
    assert clock is not None and clock.online == 2 and clock.mem_total == 2048000 * 1024
    found = cgroups.collect(read, [CID, "cd" * 32], {}, clock)
    assert list(found) == [CID]  # a container without a group is left out, not an error
    fields, sample = stats_fields(found[CID], None)
    assert sample is not None and sample.total == 5_000_000_000
    assert fields["mem_used"] == 10485760 - 2097152
    assert fields["mem_limit"] == limit
    assert (fields["blk_read"], fields["blk_write"]) == (4097, 8192)
    assert fields["pids"] == 3
    assert (fields["net_rx"], fields["net_tx"]) == (None, None)


def test_network_from_the_container_netns_without_lo(tmp_path: Path) -> None:
    dev = (
        "Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n"
        "    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n"
        "  eth0: 1500 10 0 0 0 0 0 0 700 5 0 0 0 0 0 0\n"
    )
    assert cgroups.net_dev(dev) == (1500, 700)
    assert cgroups.net_dev(dev.rsplit("\n", 2)[0] + "\n") == (None, None)  # only lo: no network


def test_the_remote_dump_parses_back_to_the_same_files(tmp_path: Path) -> None:
    v1(tmp_path, f"docker/{CID}")
    read = cgroups.local_reader(str(tmp_path))
    names = [f"{ctl}/docker/{CID}/{name}" for ctl, name in cgroups.V1_FILES]
    dump = "".join(f"{n}:{line}\n" for n in names for line in (read(n) or "").splitlines())
    dump += "".join(f"/proc/stat:{line}\n" for line in PROC_STAT.splitlines())
    files = parse_dump(dump)
    assert all(files[n] == read(n) for n in names)
    assert files["/proc/stat"].splitlines()[0].startswith("cpu  100")
    script = _script([CID, "x;rm -rf /"], {CID: 42})
    assert "rm -rf" not in script and "/proc/42/net/dev" in script  # only engine ids reach sh


@pytest.mark.parametrize(
    ("stderr", "words"),
    [
        ("Host key verification failed.\r\n", "ssh-keyscan -p 2222 ops.example"),
        ("root@ops.example: Permission denied (publickey).\r\n", "ssh-add"),
        ("ssh: connect to host ops.example port 2222: Connection refused\r\n", "is sshd running"),
        ("@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\n", "ssh-keygen -R ops.example"),
    ],
)
def test_ssh_failures_are_one_line_naming_the_fix(stderr: str, words: str) -> None:
    line = explain(stderr, "ssh://root@ops.example:2222")
    assert words in line and "\n" not in line


@pytest.mark.parametrize(
    ("state", "status", "age_s", "again"),
    [
        ("running", "Up 5 minutes (healthy)", 5 * 60 + 30, False),
        ("running", "Up 5 minutes (healthy)", 6 * 60 + 10, True),  # restarted between two polls
        ("running", "Up Less than a second", 0.5, False),
        ("running", "Up About an hour", 90 * 60, False),
        ("running", "Up 3 seconds", 3600, True),
        ("exited", "Exited (0) 2 hours ago", 2.5 * 3600, False),
        ("exited", "Exited (0) 2 hours ago", 5 * 3600, True),
        ("created", "Created", 10**6, False),
    ],
)
def test_a_list_row_says_when_to_inspect_again(state: str, status: str, age_s: float, again: bool) -> None:
    from datetime import UTC, datetime, timedelta

    from sutazai_tui.sources.engine.listrow import moved, row_key

    now = datetime(2026, 1, 1, tzinfo=UTC)
    since = now - timedelta(seconds=age_s)
    info = {"started_at": since, "finished_at": since}
    row = {"Id": CID, "State": state, "Status": status}
    assert moved(row, info, now) is again
    later = dict(row, Status=status.replace("5 minutes", "6 minutes").replace("2 hours", "3 hours"))
    assert row_key(later) == row_key(row)  # time passing alone is not a change
    assert row_key(dict(row, Status="Up 5 minutes (unhealthy)")) != row_key(row) or state != "running"


def test_a_container_started_moments_ago_is_inspected_every_cycle() -> None:
    # A crash loop caught "running" between attempts on two fast cycles keeps its row and status
    # ("Up Less than a second"): only a fresh inspect sees RestartCount climb.
    from datetime import UTC, datetime, timedelta

    from sutazai_tui.sources.engine.listrow import YOUNG_S, young

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert young({"started_at": now - timedelta(seconds=2)}, now)
    assert not young({"started_at": now - timedelta(seconds=YOUNG_S + 1)}, now)
    assert not young({"started_at": None}, now) and not young(None, now)
