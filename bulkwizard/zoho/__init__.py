"""HTTP client for Zoho CRM (OAuth, metadata, upload, bulk write jobs, results). No Qt."""
