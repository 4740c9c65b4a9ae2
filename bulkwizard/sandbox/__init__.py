"""A local Zoho-CRM-compatible server with a demo org: the app's embedded default. No Qt."""
