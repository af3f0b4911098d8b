"""`sutazai-tui report PATH`: the Markdown incident report written from a recording."""

from __future__ import annotations

import argparse
import sys

from sutazai_tui.cli.args import settings_from_args

EXIT_OK, EXIT_ERROR = 0, 2


def run(args: argparse.Namespace) -> int:
    """Markdown to stdout or `--out` (0600); one-line errors, exit 2."""
    from sutazai_tui.config.settings import ConfigError
    from sutazai_tui.records.recording import RecordingError
    from sutazai_tui.records.report import ReportError, parse_time, render_report
    from sutazai_tui.util.safefile import write_private

    out, settings = args.out, settings_from_args(args)  # audit log path, tokens to mask, diagnosis knobs
    try:
        for text, flag in ((args.since, "--since"), (args.until, "--until")):
            parse_time(text, flag)  # a malformed time is refused before the recording is read
        text = render_report(args.path, settings, args.since, args.until)
        if out is None:
            sys.stdout.write(text)
        else:
            write_private(out, text)
            print(f"report written to {out}", file=sys.stderr)
    except (ReportError, RecordingError, ConfigError) as exc:
        print(f"sutazai-tui: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"sutazai-tui: cannot write report {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
