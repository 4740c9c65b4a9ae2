"""The sandbox's plain CRM endpoints: OAuth (the accounts server), metadata and records.

Entry points: :func:`register_oauth_routes`, :func:`register_metadata_routes` and
:func:`register_record_routes`, which the server calls in that order (the records routes are the
generic ``/{module}`` ones, so they go last). The Bulk Write API is :mod:`bulkwizard.sandbox.bulk`.
"""

from bulkwizard.sandbox.api.metadata import register as register_metadata_routes
from bulkwizard.sandbox.api.oauth import register as register_oauth_routes
from bulkwizard.sandbox.api.records import register as register_record_routes

__all__ = ["register_metadata_routes", "register_oauth_routes", "register_record_routes"]
