"""`python -m sutazai_tui` runs the same command line as `sutazai-tui`."""

from sutazai_tui.cli.entry import main

raise SystemExit(main())
