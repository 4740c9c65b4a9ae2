"""The demo org "Zylker Demo": its metadata (the one source for it), org, users, layouts, records.

Entry points: :func:`demo_snapshot` (the metadata as a snapshot), :func:`seed_records`, and the
modules :mod:`.metadata` and :mod:`.org` for the bodies the metadata API serves.
"""

from bulkwizard.sandbox.demo.metadata import demo_snapshot
from bulkwizard.sandbox.demo.records import seed_records

__all__ = [
    "demo_snapshot",
    "seed_records",
]
