"""Pure-Python heart of bulkwizard: no Qt, no network.

Holds the Bulk Write job model, the CRM field-metadata model, the pre-flight validator and the
data engine (reading, profiling, checking and splitting spreadsheets).
"""
