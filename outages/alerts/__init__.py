"""Webhooks: incident events sent to the addresses people subscribe."""
