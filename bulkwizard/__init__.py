"""bulkwizard: import spreadsheets into Zoho CRM through the Bulk Write API."""

__version__ = "0.1.0"
