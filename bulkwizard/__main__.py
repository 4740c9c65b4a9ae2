"""``python -m bulkwizard`` opens the desktop app."""

from bulkwizard.ui.app import main

raise SystemExit(main())
